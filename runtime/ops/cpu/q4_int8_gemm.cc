#include "runtime/ops/cpu/q4_int8_gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace onnxgen {
namespace {

// A is stored per pair of 32-code chunks, in the order the kernel consumes it:
//   int8  even[32]  chunk 0's a[2j] (16), then chunk 1's — the low nibbles of the pair's 32 bytes
//   int8  odd[32]   the same for a[2j+1] — the high nibbles
//   int32 zero[8]   8 * sum(chunk's a) in lanes 0 and 4: codes are unsigned, so the zero point
//                   of 8 comes off the integer dot product here
//   float scale[8]  the chunk's A scale, in lanes 0-3 and 4-7
// An odd last chunk is paired with zeros.
constexpr int64_t kChunk = 32;
constexpr int64_t kPairBytes = 32 + 32 + 8 * 4 + 8 * 4;
constexpr int kZeroPoint = 8;
constexpr int kTileRows = 4;

int64_t chunks_of(const Q4Weights& w) { return w.k / kChunk; }
int64_t pairs_of(const Q4Weights& w) { return (chunks_of(w) + 1) / 2; }

// Adds one pair of chunks (64 codes, 32 bytes; an odd last chunk comes zero-padded) times TM
// rows of A to acc.
template <int TM>
__attribute__((target("avx2,fma"), always_inline)) inline void pair_step(__m256i bytes, __m256 scales,
                                                                          const uint8_t* const* a_rows, int64_t offset,
                                                                          __m256* acc) {
  const __m256i low_mask = _mm256_set1_epi8(0x0F);
  const __m256i ones = _mm256_set1_epi16(1);
  const __m256i lo = _mm256_and_si256(bytes, low_mask);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), low_mask);
  for (int t = 0; t < TM; ++t) {
    const uint8_t* base = a_rows[t] + offset;
    const __m256i even = _mm256_maddubs_epi16(lo, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(base)));
    const __m256i odd = _mm256_maddubs_epi16(hi, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(base + 32)));
    __m256i dot = _mm256_madd_epi16(_mm256_add_epi16(even, odd), ones);
    dot = _mm256_sub_epi32(dot, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(base + 64)));
    const __m256 a_scale = _mm256_loadu_ps(reinterpret_cast<const float*>(base + 96));
    acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(dot), a_scale), scales, acc[t]);
  }
}

// y[t][r] for one weight row and TM rows of A (TM <= kTileRows): the row's codes are unpacked once
// and used for every A row of the tile.
template <int TM>
__attribute__((target("avx2,fma"))) void row_tile(const Q4Weights& w, int64_t r, const uint8_t* const* a_rows,
                                                   float* const* y_rows) {
  const int64_t chunks = chunks_of(w), full_pairs = chunks / 2;
  const int shift = std::countr_zero(static_cast<uint64_t>(w.block / kChunk));  // chunk -> block
  const uint8_t* codes = w.codes + r * (w.k / 2);
  const float* scales = w.scales + r * (w.k / w.block);
  __m256 acc[TM];
  for (int t = 0; t < TM; ++t) acc[t] = _mm256_setzero_ps();
  for (int64_t p = 0; p < full_pairs; ++p) {
    const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + p * kChunk));
    const __m256 sv = _mm256_set_m128(_mm_set1_ps(scales[(2 * p + 1) >> shift]), _mm_set1_ps(scales[(2 * p) >> shift]));
    pair_step<TM>(bytes, sv, a_rows, p * kPairBytes, acc);
  }
  if (chunks % 2) {
    const int64_t p = full_pairs;
    const __m256i bytes = _mm256_zextsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + p * kChunk)));
    const __m256 sv = _mm256_set_m128(_mm_setzero_ps(), _mm_set1_ps(scales[(2 * p) >> shift]));
    pair_step<TM>(bytes, sv, a_rows, p * kPairBytes, acc);
  }
  for (int t = 0; t < TM; ++t) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc[t]), _mm256_extractf128_ps(acc[t], 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    y_rows[t][r] = _mm_cvtss_f32(s);
  }
}

using RowTile = void (*)(const Q4Weights&, int64_t, const uint8_t* const*, float* const*);
constexpr RowTile kRowTiles[kTileRows] = {row_tile<1>, row_tile<2>, row_tile<3>, row_tile<4>};

}  // namespace

bool q4_int8_supported() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

void q4_quantize_a(const float* a, int64_t m, const Q4Weights& w, Q4QuantizedA& out) {
  const int64_t row_bytes = pairs_of(w) * kPairBytes;
  const int64_t chunks_per_block = w.block / kChunk;
  out.rows = m;
  if (out.bytes.size() < static_cast<size_t>(m * row_bytes)) out.bytes.resize(static_cast<size_t>(m * row_bytes));
  std::memset(out.bytes.data(), 0, static_cast<size_t>(m * row_bytes));
  for (int64_t i = 0; i < m; ++i) {
    const float* row = a + i * w.k;
    uint8_t* dst = out.bytes.data() + i * row_bytes;
    for (int64_t blk = 0; blk < w.k / w.block; ++blk) {
      const float* src = row + blk * w.block;
      float amax = 0;
      for (int64_t j = 0; j < w.block; ++j) amax = std::max(amax, std::fabs(src[j]));
      const float scale = amax / 127.0f;
      const float inv = scale != 0 ? 1.0f / scale : 0.0f;
      for (int64_t c = blk * chunks_per_block; c < (blk + 1) * chunks_per_block; ++c) {
        uint8_t* pair = dst + (c / 2) * kPairBytes;
        const int half = static_cast<int>(c % 2);
        int32_t sum = 0;
        for (int64_t j = 0; j < kChunk; ++j) {
          const auto q = static_cast<int8_t>(std::nearbyint(row[c * kChunk + j] * inv));
          sum += q;
          pair[(j % 2) * 32 + half * 16 + j / 2] = static_cast<uint8_t>(q);
        }
        const int32_t zero = kZeroPoint * sum;
        std::memcpy(pair + 64 + half * 16, &zero, sizeof zero);
        for (int l = 0; l < 4; ++l) std::memcpy(pair + 96 + (half * 4 + l) * 4, &scale, sizeof scale);
      }
    }
  }
}

void q4_int8_gemm(ThreadPool& pool, const Q4Weights& w, const Q4QuantizedA& a, float* y) {
  const int64_t row_bytes = pairs_of(w) * kPairBytes;
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, w.k / 2 * a.rows));
  // Weight rows outermost: a row's codes stay in L1 while every tile of A (in L2) passes by.
  pool.parallel_for(w.n, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r)
      for (int64_t t0 = 0; t0 < a.rows; t0 += kTileRows) {
        const int tm = static_cast<int>(std::min<int64_t>(kTileRows, a.rows - t0));
        const uint8_t* a_rows[kTileRows];
        float* y_rows[kTileRows];
        for (int t = 0; t < tm; ++t) {
          a_rows[t] = a.bytes.data() + (t0 + t) * row_bytes;
          y_rows[t] = y + (t0 + t) * w.n;
        }
        kRowTiles[tm - 1](w, r, a_rows, y_rows);
      }
  });
}

}  // namespace onnxgen
