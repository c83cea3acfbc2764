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
//   int32 zero[8]   -8 * sum(chunk's a) in lanes 0 and 4: codes are unsigned, so the zero point
//                   of 8 comes off the integer dot product here
//   float scale[8]  the chunk's A scale, in lanes 0-3 and 4-7
// An odd last chunk is paired with zeros.
constexpr int64_t kChunk = 32;
constexpr int64_t kPairBytes = 32 + 32 + 8 * 4 + 8 * 4;
constexpr int kZeroPoint = 8;
constexpr int kTileRows = 4;

int64_t chunks_of(const Q4Weights& w) { return w.k / kChunk; }
int64_t pairs_of(const Q4Weights& w) { return (chunks_of(w) + 1) / 2; }

using RowTile = void (*)(const Q4Weights&, int64_t, const uint8_t* const*, float* const*);

namespace avx2 {
#pragma GCC push_options
#pragma GCC target("avx2,fma")
inline __m256i dot_pair(__m256i lo, __m256i hi, const uint8_t* a) {
  const __m256i even = _mm256_maddubs_epi16(lo, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a)));
  const __m256i odd = _mm256_maddubs_epi16(hi, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 32)));
  const __m256i dot = _mm256_madd_epi16(_mm256_add_epi16(even, odd), _mm256_set1_epi16(1));
  return _mm256_add_epi32(dot, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 64)));
}
#include "runtime/ops/cpu/q4_int8_tile.inc"
#pragma GCC pop_options
}  // namespace avx2

// AVX-512 VNNI on 256-bit registers: two multiply-accumulates straight into int32, starting from
// the zero-point correction.
namespace vnni {
#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f,avx512vl,avx512bw,avx512vnni")
inline __m256i dot_pair(__m256i lo, __m256i hi, const uint8_t* a) {
  const __m256i zero = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 64));
  const __m256i even = _mm256_dpbusd_epi32(zero, lo, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a)));
  return _mm256_dpbusd_epi32(even, hi, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 32)));
}
#include "runtime/ops/cpu/q4_int8_tile.inc"
#pragma GCC pop_options
}  // namespace vnni

const RowTile* row_tiles() {
  static const RowTile* tiles = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl")
                                    ? vnni::kRowTiles
                                    : avx2::kRowTiles;
  return tiles;
}


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
        const int32_t zero = -kZeroPoint * sum;
        std::memcpy(pair + 64 + half * 16, &zero, sizeof zero);
        for (int l = 0; l < 4; ++l) std::memcpy(pair + 96 + (half * 4 + l) * 4, &scale, sizeof scale);
      }
    }
  }
}

void q4_int8_gemm(ThreadPool& pool, const Q4Weights& w, const Q4QuantizedA& a, float* y) {
  const int64_t row_bytes = pairs_of(w) * kPairBytes;
  const RowTile* tiles = row_tiles();
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
        tiles[tm - 1](w, r, a_rows, y_rows);
      }
  });
}

}  // namespace onnxgen
