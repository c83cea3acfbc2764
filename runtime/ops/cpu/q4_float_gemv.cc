#include "runtime/ops/cpu/q4_float_gemv.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "runtime/core/error.h"
#include "runtime/ops/cpu/avx512_sums.h"
#include "runtime/ops/matmul_nbits_inputs.h"

namespace onnxgen {
namespace {

constexpr int64_t kSub = 32;        // a block is one or more of these
constexpr int64_t kQuad = 16;       // codes of one 8-byte load
constexpr int kMaxTileRows = 4;     // rows of A a tile takes; more run as further tiles
constexpr int64_t kGrainBytes = 32768;  // weight bytes a thread takes at a time
// Weight rows of a tile are read side by side, several streams the hardware prefetcher follows
// late; each asks for its codes this far ahead.
constexpr int64_t kPrefetchBytes = 512;

// The GEMV's loads of 8 bytes are broadcast to every 64-bit lane and each 32-bit lane shifted by
// its own count, with no shuffles: lane i then holds code (i % 2) * 8 + i / 2 of the 16 in its
// low 4 bits (a 32-bit word holds 8 codes in order, low nibble first). A is prepared in that order.
constexpr int kLaneCode[kQuad] = {0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15};

// A tile: y[t][n0 .. n0 + NC) for its rows t of A (prepared).
using Tile = void (*)(const Q4FloatWeights& w, int64_t n0, const float* a, float* y, int64_t y_stride);

// One weight row's scales and zero points, block by block. (Found once per row: a division in
// the per-block path cost more than the block's arithmetic.)
struct RowParams {
  const float* scales = nullptr;
  const uint8_t* packed_zero_points = nullptr;
  const float* float_zero_points = nullptr;

  RowParams() = default;
  RowParams(const Q4FloatWeights& w, int64_t blocks, int64_t row)
      : scales(w.scales + row * blocks),
        packed_zero_points(w.packed_zero_points ? w.packed_zero_points + row * q4_zero_point_row_bytes(blocks)
                                                : nullptr),
        float_zero_points(w.float_zero_points ? w.float_zero_points + row * blocks : nullptr) {}

  float zero(int64_t b) const {
    if (packed_zero_points) return q4_zero_point(packed_zero_points, b);
    return float_zero_points ? float_zero_points[b] : 8.0f;
  }
};

// The 32 codes of `row` from kk on, one a byte, in k order: codes kk .. kk + 15 in `first`.
inline void codes_in_order(const Q4FloatWeights& w, int64_t row, int64_t kk, __m128i& first, __m128i& second) {
  const __m128i low = _mm_set1_epi8(0x0F);
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w.codes + row * (w.k / 2) + kk / 2));
  const __m128i lo = _mm_and_si128(bytes, low), hi = _mm_and_si128(_mm_srli_epi16(bytes, 4), low);
  first = _mm_unpacklo_epi8(lo, hi);
  second = _mm_unpackhi_epi8(lo, hi);
}

inline int64_t code_quad(const Q4FloatWeights& w, int64_t row, int64_t kk) {
  int64_t v;
  std::memcpy(&v, w.codes + row * (w.k / 2) + kk / 2, sizeof v);
  return v;
}

namespace avx512 {
#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f,avx512bw,avx512vl")

// (The masked forms of intrinsics here and below: GCC 12 warns the plain ones read an
// uninitialised vector.)

// table[code] for 16 codes (bytes).
inline __m512 lookup(__m128i codes, __m512 table) {
  return _mm512_maskz_permutexvar_ps(0xFFFF, _mm512_maskz_cvtepu8_epi32(0xFFFF, codes), table);
}

// (code - zero point) * scale for the 16 codes of block b.
inline __m512 block_table(const RowParams& row, int64_t b) {
  const __m512 iota = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  return _mm512_mul_ps(_mm512_sub_ps(iota, _mm512_set1_ps(row.zero(b))), _mm512_set1_ps(row.scales[b]));
}

// NC weight rows side by side give NC x TM independent accumulator chains, and each code is
// looked up once for all TM rows of A (vpermps reads only an index's low 4 bits).
template <int TM, int NC>
void tile(const Q4FloatWeights& w, int64_t n0, const float* a, float* y, int64_t y_stride) {
  const __m512i shifts = _mm512_setr_epi32(0, 0, 4, 4, 8, 8, 12, 12, 16, 16, 20, 20, 24, 24, 28, 28);
  const int64_t blocks = w.k / w.block, quads = w.block / kQuad;
  RowParams rows[NC];
  for (int c = 0; c < NC; ++c) rows[c] = RowParams(w, blocks, n0 + c);
  __m512 acc[NC][TM];
  for (int c = 0; c < NC; ++c)
    for (int t = 0; t < TM; ++t) acc[c][t] = _mm512_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    __m512 table[NC];
    for (int c = 0; c < NC; ++c) {
      table[c] = block_table(rows[c], b);
      _mm_prefetch(reinterpret_cast<const char*>(w.codes + (n0 + c) * (w.k / 2) + b * w.block / 2) + kPrefetchBytes,
                   _MM_HINT_T0);
    }
    for (int64_t q = 0; q < quads; ++q) {
      const int64_t kk = b * w.block + q * kQuad;
      for (int c = 0; c < NC; ++c) {
        const __m512i quad = _mm512_maskz_set1_epi64(0xFF, code_quad(w, n0 + c, kk));
        const __m512i codes = _mm512_maskz_srlv_epi32(0xFFFF, quad, shifts);
        const __m512 v = _mm512_maskz_permutexvar_ps(0xFFFF, codes, table[c]);
        for (int t = 0; t < TM; ++t) acc[c][t] = _mm512_fmadd_ps(v, _mm512_loadu_ps(a + t * w.k + kk), acc[c][t]);
      }
    }
  }
  for (int t = 0; t < TM; ++t) {
    if constexpr (NC == 4) {
      horizontal_sum4(acc[0][t], acc[1][t], acc[2][t], acc[3][t], y + t * y_stride + n0);
    } else {
      for (int c = 0; c < NC; ++c) y[t * y_stride + n0 + c] = horizontal_sum(acc[c][t]);
    }
  }
}

void dequantize(const Q4FloatWeights& w, int64_t row0, int64_t rows, float* out) {
  const int64_t blocks = w.k / w.block, subs = w.block / kSub;
  for (int64_t r = 0; r < rows; ++r, out += w.k) {
    const RowParams row(w, blocks, row0 + r);
    for (int64_t b = 0; b < blocks; ++b) {
      const __m512 table = block_table(row, b);
      for (int64_t s = 0; s < subs; ++s) {
        const int64_t kk = b * w.block + s * kSub;
        __m128i first, second;
        codes_in_order(w, row0 + r, kk, first, second);
        _mm512_storeu_ps(out + kk, lookup(first, table));
        _mm512_storeu_ps(out + kk + 16, lookup(second, table));
      }
    }
  }
}
#pragma GCC pop_options

constexpr int kCols = 4;
constexpr Tile kTiles[kMaxTileRows][kCols] = {{tile<1, 1>, tile<1, 2>, tile<1, 3>, tile<1, 4>},
                                              {tile<2, 1>, tile<2, 2>, tile<2, 3>, tile<2, 4>},
                                              {tile<3, 1>, tile<3, 2>, tile<3, 3>, tile<3, 4>},
                                              {tile<4, 1>, tile<4, 2>, tile<4, 3>, tile<4, 4>}};
}  // namespace avx512

namespace avx2 {
#pragma GCC push_options
#pragma GCC target("avx2,fma")
// (code - zero point) * scale of 8 codes (bytes of `codes`, from the first).
inline __m256 dequant8(__m128i codes, __m256 zero, __m256 scale) {
  return _mm256_mul_ps(_mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(codes)), zero), scale);
}

inline float sum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

template <int TM, int NC>
void tile(const Q4FloatWeights& w, int64_t n0, const float* a, float* y, int64_t y_stride) {
  const __m256i shifts[2] = {_mm256_setr_epi32(0, 0, 4, 4, 8, 8, 12, 12),
                             _mm256_setr_epi32(16, 16, 20, 20, 24, 24, 28, 28)};
  const __m256i low = _mm256_set1_epi32(0x0F);
  const int64_t blocks = w.k / w.block, quads = w.block / kQuad;
  __m256 acc[NC][TM];
  for (int c = 0; c < NC; ++c)
    for (int t = 0; t < TM; ++t) acc[c][t] = _mm256_setzero_ps();
  RowParams rows[NC];
  for (int c = 0; c < NC; ++c) rows[c] = RowParams(w, blocks, n0 + c);
  for (int64_t b = 0; b < blocks; ++b) {
    __m256 zero[NC], scale[NC];
    for (int c = 0; c < NC; ++c) {
      zero[c] = _mm256_set1_ps(rows[c].zero(b));
      scale[c] = _mm256_set1_ps(rows[c].scales[b]);
    }
    for (int64_t q = 0; q < quads; ++q) {
      const int64_t kk = b * w.block + q * kQuad;
      for (int c = 0; c < NC; ++c) {
        const __m256i quad = _mm256_set1_epi64x(code_quad(w, n0 + c, kk));
        for (int h = 0; h < 2; ++h) {
          const __m256i codes = _mm256_and_si256(_mm256_srlv_epi32(quad, shifts[h]), low);
          const __m256 v = _mm256_mul_ps(_mm256_sub_ps(_mm256_cvtepi32_ps(codes), zero[c]), scale[c]);
          for (int t = 0; t < TM; ++t)
            acc[c][t] = _mm256_fmadd_ps(v, _mm256_loadu_ps(a + t * w.k + kk + 8 * h), acc[c][t]);
        }
      }
    }
  }
  for (int c = 0; c < NC; ++c)
    for (int t = 0; t < TM; ++t) y[t * y_stride + n0 + c] = sum8(acc[c][t]);
}

void dequantize(const Q4FloatWeights& w, int64_t row0, int64_t rows, float* out) {
  const int64_t blocks = w.k / w.block, subs = w.block / kSub;
  for (int64_t r = 0; r < rows; ++r, out += w.k) {
    const RowParams row(w, blocks, row0 + r);
    for (int64_t b = 0; b < blocks; ++b) {
      const __m256 zero = _mm256_set1_ps(row.zero(b));
      const __m256 scale = _mm256_set1_ps(row.scales[b]);
      for (int64_t s = 0; s < subs; ++s) {
        const int64_t kk = b * w.block + s * kSub;
        __m128i first, second;
        codes_in_order(w, row0 + r, kk, first, second);
        _mm256_storeu_ps(out + kk, dequant8(first, zero, scale));
        _mm256_storeu_ps(out + kk + 8, dequant8(_mm_srli_si128(first, 8), zero, scale));
        _mm256_storeu_ps(out + kk + 16, dequant8(second, zero, scale));
        _mm256_storeu_ps(out + kk + 24, dequant8(_mm_srli_si128(second, 8), zero, scale));
      }
    }
  }
}
#pragma GCC pop_options

constexpr int kCols = 2;
constexpr Tile kTiles[kMaxTileRows][kCols] = {
    {tile<1, 1>, tile<1, 2>}, {tile<2, 1>, tile<2, 2>}, {tile<3, 1>, tile<3, 2>}, {tile<4, 1>, tile<4, 2>}};
}  // namespace avx2

void check_layout(const Q4FloatWeights& w) {
  ONNXGEN_CHECK(w.block % kSub == 0 && w.k % w.block == 0, "q4 float kernel needs K (", w.k,
                ") a multiple of a block size (", w.block, ") that is a multiple of ", kSub);
}

}  // namespace

bool q4_float_supported() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

bool q4_float_kernel_supported(Q4FloatKernel kernel) {
  if (!q4_float_supported()) return false;
  return kernel == Q4FloatKernel::kAvx2 || (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                                            __builtin_cpu_supports("avx512vl"));
}

Q4FloatKernel q4_float_best_kernel() {
  static const Q4FloatKernel best =
      q4_float_kernel_supported(Q4FloatKernel::kAvx512) ? Q4FloatKernel::kAvx512 : Q4FloatKernel::kAvx2;
  return best;
}

void q4_float_gemv(ThreadPool& pool, const Q4FloatWeights& w, const float* a, int64_t m, float* y,
                   Q4FloatKernel kernel) {
  check_layout(w);
  ONNXGEN_CHECK(m >= 1 && m <= kQ4FloatGemvMaxRows, "q4_float_gemv takes 1 to ", kQ4FloatGemvMaxRows,
                " rows of A, got ", m);
  thread_local std::vector<float> prepared;
  prepared.resize(static_cast<size_t>(m * w.k));
  for (int64_t i = 0; i < m * w.k; i += kQuad)
    for (int64_t j = 0; j < kQuad; ++j) prepared[static_cast<size_t>(i + j)] = a[i + kLaneCode[j]];
  const float* ap = prepared.data();  // the caller's: a worker naming `prepared` would get its own
  const bool wide = kernel == Q4FloatKernel::kAvx512;
  const int cols = wide ? avx512::kCols : avx2::kCols;
  const int64_t tiles = (w.n + cols - 1) / cols;
  const int64_t grain = std::max<int64_t>(1, kGrainBytes / (cols * w.k / 2));
  pool.parallel_for(tiles, grain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t n0 = i * cols;
      const int nc = static_cast<int>(std::min<int64_t>(cols, w.n - n0));
      for (int64_t t0 = 0; t0 < m; t0 += kMaxTileRows) {
        const int tm = static_cast<int>(std::min<int64_t>(kMaxTileRows, m - t0));
        const Tile tile = wide ? avx512::kTiles[tm - 1][nc - 1] : avx2::kTiles[tm - 1][nc - 1];
        tile(w, n0, ap + t0 * w.k, y + t0 * w.n, w.n);
      }
    }
  });
}

void q4_float_dequantize(const Q4FloatWeights& w, int64_t row0, int64_t rows, float* out, Q4FloatKernel kernel) {
  check_layout(w);
  ONNXGEN_CHECK(row0 >= 0 && rows >= 0 && row0 + rows <= w.n, "q4_float_dequantize: rows [", row0, ", ", row0 + rows,
                ") outside the ", w.n, " weight rows");
  if (kernel == Q4FloatKernel::kAvx512) avx512::dequantize(w, row0, rows, out);
  else avx2::dequantize(w, row0, rows, out);
}

}  // namespace onnxgen
