#include "runtime/ops/cpu/int8_gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "runtime/core/error.h"
#include "runtime/core/huge_page_arena.h"

namespace onnxgen {
namespace {

constexpr int64_t kCols = 16;        // columns of a packed group
constexpr int64_t kQuad = 4;         // k of one 4-byte broadcast of A
constexpr int64_t kChunk = kCols * kQuad;
constexpr int64_t kGrainBytes = 32768;    // packed bytes of B a thread takes at a time
constexpr int64_t kPrefetchBytes = 1024;  // as q4_int8_gemm's tiles of several rows

// A as the tiles read it: rows in tiles of a kernel's tile height (the last may hold fewer), each
// tile every quad of k in order, a quad the tile's rows' 4 bytes side by side, as uint8 (int8
// moves up by 128), k padded with zeros to k4. A tile's broadcasts are then one stream at constant
// offsets.
//
// A tile: c[t][n0 .. n0 + cols) for TM rows of A and one packed group of B. correction[j]: what
// column j's zero points take off every row but the part from A's row sum, zero[j] * row_sums[t].
struct TileArgs {
  const int8_t* group;
  int64_t quads;
  const uint8_t* a;
  const int32_t* row_sums;
  const int32_t* correction;
  const int32_t* zero;
  int32_t* c;
  int64_t c_stride;
  int cols;
};
using Tile = void (*)(const TileArgs&);

inline int32_t load4(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

namespace vnni512 {
#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f,avx512bw,avx512vl,avx512vnni")
template <int TM>
void tile(const TileArgs& x) {
  __m512i acc[TM];
  for (int t = 0; t < TM; ++t) acc[t] = _mm512_setzero_si512();
  const int8_t* b = x.group;
  for (int64_t q = 0; q < x.quads; ++q, b += kChunk) {
    if constexpr (TM > 1) _mm_prefetch(reinterpret_cast<const char*>(b) + kPrefetchBytes, _MM_HINT_T0);
    const __m512i bq = _mm512_load_si512(b);
    for (int t = 0; t < TM; ++t)
      acc[t] = _mm512_dpbusd_epi32(acc[t], _mm512_set1_epi32(load4(x.a + (q * TM + t) * kQuad)), bq);
  }
  const __m512i correction = _mm512_loadu_si512(x.correction), zero = _mm512_loadu_si512(x.zero);
  const auto mask = static_cast<__mmask16>((1u << x.cols) - 1);
  for (int t = 0; t < TM; ++t) {
    const __m512i from_row = _mm512_mullo_epi32(zero, _mm512_set1_epi32(x.row_sums[t]));
    _mm512_mask_storeu_epi32(x.c + t * x.c_stride, mask,
                             _mm512_sub_epi32(_mm512_sub_epi32(acc[t], correction), from_row));
  }
}
#pragma GCC pop_options

constexpr Tile kTiles[] = {tile<1>, tile<2>, tile<3>, tile<4>, tile<5>, tile<6>, tile<7>, tile<8>};
}  // namespace vnni512

namespace avx2 {
#pragma GCC push_options
#pragma GCC target("avx2,fma")
// Each 16 bytes of a chunk (4 columns x 4 k) widened to 16 bits meet A's 4 bytes repeated: madd
// leaves two partial sums per column, added pairwise at the end.
template <int TM>
void tile(const TileArgs& x) {
  __m256i acc[TM][4];
  for (int t = 0; t < TM; ++t)
    for (int p = 0; p < 4; ++p) acc[t][p] = _mm256_setzero_si256();
  const int8_t* b = x.group;
  for (int64_t q = 0; q < x.quads; ++q, b += kChunk) {
    __m256i bw[4];
    for (int p = 0; p < 4; ++p)
      bw[p] = _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(b + 16 * p)));
    for (int t = 0; t < TM; ++t) {
      const __m256i aw = _mm256_cvtepu8_epi16(_mm_set1_epi32(load4(x.a + (q * TM + t) * kQuad)));
      for (int p = 0; p < 4; ++p) acc[t][p] = _mm256_add_epi32(acc[t][p], _mm256_madd_epi16(bw[p], aw));
    }
  }
  for (int t = 0; t < TM; ++t) {
    alignas(32) int32_t out[kCols];
    for (int h = 0; h < 2; ++h) {
      // hadd pairs within 128-bit lanes: [c0 c1 c4 c5 | c2 c3 c6 c7], then back in order.
      const __m256i sums = _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc[t][2 * h], acc[t][2 * h + 1]), 0xD8);
      const __m256i correction = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.correction + 8 * h));
      const __m256i zero = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.zero + 8 * h));
      const __m256i from_row = _mm256_mullo_epi32(zero, _mm256_set1_epi32(x.row_sums[t]));
      _mm256_store_si256(reinterpret_cast<__m256i*>(out + 8 * h),
                         _mm256_sub_epi32(_mm256_sub_epi32(sums, correction), from_row));
    }
    std::copy_n(out, x.cols, x.c + t * x.c_stride);
  }
}
#pragma GCC pop_options

constexpr Tile kTiles[] = {tile<1>, tile<2>};
}  // namespace avx2

struct TileSet {
  const Tile* tiles;
  int max_rows;
};

TileSet tile_set(Int8Kernel kernel) {
  return kernel == Int8Kernel::kAvx512Vnni ? TileSet{vnni512::kTiles, 8} : TileSet{avx2::kTiles, 2};
}

int32_t value_at(Int8Operand x, int64_t i) {
  return x.is_signed ? static_cast<const int8_t*>(x.data)[i] : static_cast<const uint8_t*>(x.data)[i];
}

// One row of A into a tile at `dst` (its bytes every `stride`), as uint8; returns the row's sum.
template <class T>
int32_t place_row(const T* __restrict src, int64_t k, uint8_t* __restrict dst, int64_t stride) {
  int32_t sum = 0;
  for (int64_t i = 0; i < k; ++i) {
    const auto v = static_cast<uint8_t>(std::is_signed_v<T> ? static_cast<uint8_t>(src[i]) ^ 0x80 : src[i]);
    dst[i / kQuad * stride + i % kQuad] = v;
    sum += v;
  }
  return sum;
}

}  // namespace

bool int8_gemm_supported() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

bool int8_kernel_supported(Int8Kernel kernel) {
  if (!int8_gemm_supported()) return false;
  return kernel == Int8Kernel::kAvx2 || (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                                         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni"));
}

Int8Kernel int8_best_kernel() {
  static const Int8Kernel best =
      int8_kernel_supported(Int8Kernel::kAvx512Vnni) ? Int8Kernel::kAvx512Vnni : Int8Kernel::kAvx2;
  return best;
}

Int8PackedB int8_pack_b(ThreadPool& pool, Int8Operand b, int64_t k, int64_t n, const void* zero_points,
                        bool per_column) {
  ONNXGEN_CHECK(k > 0 && n > 0, "int8 GEMM: B must be a non-empty matrix, got [", k, ", ", n, "]");
  Int8PackedB out;
  out.k = k;
  out.n = n;
  out.k4 = (k + kQuad - 1) / kQuad * kQuad;
  out.n16 = (n + kCols - 1) / kCols * kCols;
  // Packed as int8: uint8 B moves down by 128, and its zero points with it.
  const int32_t offset = b.is_signed ? 0 : 128;
  const Int8Operand zp{zero_points, b.is_signed};
  out.zero.assign(static_cast<size_t>(out.n16), 0);
  for (int64_t j = 0; j < n; ++j)
    out.zero[static_cast<size_t>(j)] = (zero_points ? value_at(zp, per_column ? j : 0) : 0) - offset;
  out.column_sums.assign(static_cast<size_t>(out.n16), 0);
  const auto bytes = static_cast<size_t>(out.n16 * out.k4);
  out.data = {static_cast<int8_t*>(huge_page_arena::allocate(bytes)), huge_page_arena::free};
  const int64_t groups = out.n16 / kCols, quads = out.k4 / kQuad;
  pool.parallel_for(groups, 1, [&](int64_t begin, int64_t end) {
    for (int64_t g = begin; g < end; ++g) {
      int8_t* dst = out.data.get() + g * quads * kChunk;
      for (int64_t q = 0; q < quads; ++q)
        for (int64_t j = 0; j < kCols; ++j)
          for (int64_t i = 0; i < kQuad; ++i) {
            const int64_t row = q * kQuad + i, col = g * kCols + j;
            const int32_t v = row < k && col < n ? value_at(b, row * n + col) - offset : 0;
            dst[(q * kCols + j) * kQuad + i] = static_cast<int8_t>(v);
            out.column_sums[static_cast<size_t>(col)] += v;
          }
    }
  });
  return out;
}

void int8_gemm(ThreadPool& pool, const Int8PackedB& b, Int8Operand a, int64_t m, int32_t a_zero, int32_t* c,
               Int8Kernel kernel) {
  const TileSet set = tile_set(kernel);
  // A in tiles, and the sum of each row (int8 moves up by 128, and its zero point with it).
  const int32_t za = a_zero + (a.is_signed ? 128 : 0);
  thread_local std::vector<uint8_t> a_rows;
  thread_local std::vector<int32_t> row_sums, correction;
  a_rows.assign(static_cast<size_t>(m * b.k4), 0);
  row_sums.resize(static_cast<size_t>(m));
  for (int64_t r = 0; r < m; ++r) {
    const int64_t t0 = r / set.max_rows * set.max_rows, tm = std::min<int64_t>(set.max_rows, m - t0);
    uint8_t* dst = a_rows.data() + t0 * b.k4 + (r - t0) * kQuad;
    row_sums[static_cast<size_t>(r)] =
        a.is_signed ? place_row(static_cast<const int8_t*>(a.data) + r * b.k, b.k, dst, tm * kQuad)
                    : place_row(static_cast<const uint8_t*>(a.data) + r * b.k, b.k, dst, tm * kQuad);
  }
  // sum (a - za)(b - zb) = sum ab - za * sum b - zb * sum a + k * za * zb: all but zb * sum a per
  // column.
  correction.resize(static_cast<size_t>(b.n16));
  for (int64_t j = 0; j < b.n16; ++j)
    correction[static_cast<size_t>(j)] =
        za * b.column_sums[static_cast<size_t>(j)] - static_cast<int32_t>(b.k) * za * b.zero[static_cast<size_t>(j)];
  const uint8_t* a_data = a_rows.data();  // the caller's: a worker naming a_rows would get its own
  const int32_t* sums = row_sums.data();
  const int32_t* corr = correction.data();

  const int64_t groups = b.n16 / kCols, quads = b.k4 / kQuad;
  const int64_t tiles_per_group = (m + set.max_rows - 1) / set.max_rows;
  const int64_t grain = std::max<int64_t>(1, kGrainBytes / (quads * kChunk * tiles_per_group));
  pool.parallel_for(groups, grain, [&](int64_t begin, int64_t end) {
    for (int64_t g = begin; g < end; ++g) {
      const int64_t n0 = g * kCols;
      for (int64_t t0 = 0; t0 < m; t0 += set.max_rows) {
        const int tm = static_cast<int>(std::min<int64_t>(set.max_rows, m - t0));
        const TileArgs x{b.data.get() + g * quads * kChunk, quads, a_data + t0 * b.k4, sums + t0, corr + n0,
                         b.zero.data() + n0, c + t0 * b.n + n0, b.n, static_cast<int>(std::min(kCols, b.n - n0))};
        set.tiles[tm - 1](x);
      }
    }
  });
}

}  // namespace onnxgen
