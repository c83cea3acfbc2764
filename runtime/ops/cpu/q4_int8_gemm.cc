#include "runtime/ops/cpu/q4_int8_gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "runtime/core/error.h"
#include "runtime/core/huge_page_arena.h"
#include "runtime/ops/cpu/mapped_weights.h"

namespace onnxgen {
namespace {

// Packed weights: groups of 8 rows (the last padded with zero-scale rows), each group every
// block in order, each block
//   block / 8 chunks of 32 bytes: byte 4i + j of a chunk holds row i's codes 8c + j (low nibble)
//                                 and 8c + 4 + j (high nibble), c the chunk within the block
//   float scale[8]                the 8 rows' scales of the block
// so a chunk's low nibbles are, per row, 4 consecutive codes that meet 4 consecutive bytes of A.
constexpr int kGroupRows = 8;
constexpr int64_t kCodesPerChunk = 8;
constexpr int64_t kChunkBytes = 32;
constexpr int64_t kScaleBytes = kGroupRows * sizeof(float);
constexpr int kZeroPoint = 8;
constexpr int kTileRows = 4;
// Tiles of several rows spend long enough on each load that the hardware prefetcher falls behind;
// they ask for the weights this far ahead themselves (a one-row tile does better without).
constexpr int64_t kPrefetchBytes = 1024;
// Rows of A a thread keeps in L2 while its weight groups pass by.
constexpr int64_t kARowBytesInL2 = 256 * 1024;
constexpr int64_t kPackSlabBytes = 4 << 20;

int64_t block_bytes(int64_t block) { return block / 2 * kGroupRows + kScaleBytes; }
int64_t groups_of(const Q4Output& o) { return (o.n + kGroupRows - 1) / kGroupRows; }

struct ARows {
  const int8_t* values[kTileRows];
  const float* scales[kTileRows];
  const int32_t* zero[kTileRows];
};

using GroupTile = void (*)(const uint8_t*, int64_t, int64_t, const ARows&, float* const*, int);

namespace avx2 {
#pragma GCC push_options
#pragma GCC target("avx2,fma")
inline __m256i dot_chunk(__m256i acc, __m256i lo, __m256i hi, const int8_t* a);
#include "runtime/ops/cpu/q4_int8_tile.inc"
// Each 16-bit sum holds two products of at most 15 * 127, so the pair of them cannot saturate.
inline __m256i dot_chunk(__m256i acc, __m256i lo, __m256i hi, const int8_t* a) {
  const __m256i pairs = _mm256_add_epi16(_mm256_maddubs_epi16(lo, broadcast4(a)), _mm256_maddubs_epi16(hi, broadcast4(a + 4)));
  return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
}
#pragma GCC pop_options
}  // namespace avx2

namespace vnni {
#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f,avx512vl,avx512bw,avx512vnni")
inline __m256i dot_chunk(__m256i acc, __m256i lo, __m256i hi, const int8_t* a);
#include "runtime/ops/cpu/q4_int8_tile.inc"
inline __m256i dot_chunk(__m256i acc, __m256i lo, __m256i hi, const int8_t* a) {
  return _mm256_dpbusd_epi32(_mm256_dpbusd_epi32(acc, lo, broadcast4(a)), hi, broadcast4(a + 4));
}
#pragma GCC pop_options
}  // namespace vnni

const GroupTile* group_tiles() {
  static const GroupTile* tiles = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl")
                                      ? vnni::kGroupTiles
                                      : avx2::kGroupTiles;
  return tiles;
}

// A chunk of one row: source bytes b0..b3 hold codes c0..c7 (c0 | c1 << 4, ...); the kernel's
// bytes are c0 | c4 << 4, c1 | c5 << 4, c2 | c6 << 4, c3 | c7 << 4.
__attribute__((target("bmi2"))) uint32_t interleave_chunk(uint32_t src) {
  return _pdep_u32(src & 0xFFFF, 0x0F0F0F0F) | _pdep_u32(src >> 16, 0xF0F0F0F0);
}

__attribute__((target("bmi2"))) void pack_group(const Q4Weights& w, int64_t g, uint8_t* dst) {
  const int64_t blocks = w.k / w.block, chunks = w.block / kCodesPerChunk;
  constexpr uint32_t kZeroChunk = 0x88888888;  // padding rows: every code the zero point
  for (int64_t b = 0; b < blocks; ++b, dst += block_bytes(w.block)) {
    for (int i = 0; i < kGroupRows; ++i) {
      const int64_t row = g * kGroupRows + i;
      const uint8_t* src = row < w.n ? w.codes + row * (w.k / 2) + b * (w.block / 2) : nullptr;
      for (int64_t c = 0; c < chunks; ++c) {
        uint32_t word = kZeroChunk;
        if (src) {
          std::memcpy(&word, src + c * 4, sizeof word);
          word = interleave_chunk(word);
        }
        std::memcpy(dst + c * kChunkBytes + i * 4, &word, sizeof word);
      }
      const float scale = row < w.n ? w.scales[row * blocks + b] : 0.0f;
      std::memcpy(dst + w.block / 2 * kGroupRows + i * sizeof(float), &scale, sizeof scale);
    }
  }
}

// One block of A: round(a / scale) with the current (to-nearest-even) rounding, as nearbyint.
__attribute__((target("avx2,fma"))) void quantize_block(const float* a, int64_t len, int8_t* q, float* scale,
                                                        int32_t* zero) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m256 vmax = _mm256_setzero_ps();
  for (int64_t i = 0; i < len; i += 8) vmax = _mm256_max_ps(vmax, _mm256_andnot_ps(sign, _mm256_loadu_ps(a + i)));
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(vmax), _mm256_extractf128_ps(vmax, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  const float amax = _mm_cvtss_f32(m);
  *scale = amax / 127.0f;
  const __m256 inv = _mm256_set1_ps(*scale != 0 ? 1.0f / *scale : 0.0f);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  __m256i sum = _mm256_setzero_si256();
  for (int64_t i = 0; i < len; i += 32) {
    __m256i v[4];
    for (int j = 0; j < 4; ++j) {
      v[j] = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(a + i + 8 * j), inv));
      sum = _mm256_add_epi32(sum, v[j]);
    }
    // packs work per 128-bit lane; the permutation puts the 32 bytes back in order.
    const __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(v[0], v[1]), _mm256_packs_epi32(v[2], v[3]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + i), _mm256_permutevar8x32_epi32(bytes, order));
  }
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  *zero = -kZeroPoint * _mm_cvtsi128_si32(s);
}

}  // namespace

bool q4_int8_supported() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2");
}

Q4PackedWeights q4_pack_weights(ThreadPool& pool, const Q4Weights& w, bool release_source) {
  const bool release[] = {release_source};
  return q4_pack_weights(pool, std::span<const Q4Weights>(&w, 1), release);
}

Q4PackedWeights q4_pack_weights(ThreadPool& pool, std::span<const Q4Weights> parts,
                                std::span<const bool> release_source) {
  ONNXGEN_CHECK(!parts.empty() && parts.size() == release_source.size(), "q4 packing needs one release flag per part");
  Q4PackedWeights out;
  out.k = parts[0].k;
  out.block = parts[0].block;
  for (size_t p = 0; p < parts.size(); ++p) {
    const Q4Weights& w = parts[p];
    ONNXGEN_CHECK(w.block % 32 == 0 && w.k % w.block == 0, "q4 int8 kernel needs K (", w.k,
                  ") a multiple of a block size (", w.block, ") that is a multiple of 32");
    ONNXGEN_CHECK(w.k == out.k && w.block == out.block && (p + 1 == parts.size() || w.n % kGroupRows == 0),
                  "q4 packing of several matrices needs the same K and block, and ", kGroupRows,
                  " rows a group in every part but the last");
    out.n += w.n;
  }
  out.group_bytes = out.k / out.block * block_bytes(out.block);
  const int64_t groups = (out.n + kGroupRows - 1) / kGroupRows;
  const auto bytes = static_cast<size_t>(groups * out.group_bytes);
  out.data = {static_cast<uint8_t*>(huge_page_arena::allocate(bytes)), huge_page_arena::free};
  uint8_t* dst = out.data.get();
  for (size_t p = 0; p < parts.size(); ++p) {
    const Q4Weights& w = parts[p];
    const int64_t part_groups = (w.n + kGroupRows - 1) / kGroupRows;
    // In slabs, so that at most one slab of the source is resident beside the packed copy.
    const int64_t row_bytes = w.k / 2;
    const int64_t slab = std::max<int64_t>(1, kPackSlabBytes / (kGroupRows * row_bytes));
    for (int64_t g0 = 0; g0 < part_groups; g0 += slab) {
      const int64_t g1 = std::min(part_groups, g0 + slab);
      pool.parallel_for(g1 - g0, 1, [&](int64_t begin, int64_t end) {
        for (int64_t g = g0 + begin; g < g0 + end; ++g) pack_group(w, g, dst + g * out.group_bytes);
      });
      if (release_source[p]) {
        const int64_t r0 = g0 * kGroupRows, r1 = std::min(w.n, g1 * kGroupRows);
        release_mapped_pages(w.codes + r0 * row_bytes, static_cast<size_t>((r1 - r0) * row_bytes));
      }
    }
    if (release_source[p])
      release_mapped_pages(w.scales, static_cast<size_t>(w.n * (w.k / w.block)) * sizeof(float));
    dst += part_groups * out.group_bytes;
  }
  return out;
}

void q4_quantize_a(const float* a, int64_t m, int64_t k, int64_t block, Q4QuantizedA& out) {
  const int64_t blocks = k / block;
  out.rows = m;
  if (out.values.size() < static_cast<size_t>(m * k)) out.values.resize(static_cast<size_t>(m * k));
  if (out.scales.size() < static_cast<size_t>(m * blocks)) {
    out.scales.resize(static_cast<size_t>(m * blocks));
    out.zero.resize(static_cast<size_t>(m * blocks));
  }
  for (int64_t i = 0; i < m * blocks; ++i)
    quantize_block(a + i * block, block, out.values.data() + i * block, out.scales.data() + i, out.zero.data() + i);
}

void q4_int8_gemm(ThreadPool& pool, const Q4PackedWeights& w, const Q4QuantizedA& a, float* y) {
  const Q4Output out[] = {{y, w.n}};
  q4_int8_gemm(pool, w, a, out);
}

void q4_int8_gemm(ThreadPool& pool, const Q4PackedWeights& w, const Q4QuantizedA& a, std::span<const Q4Output> outputs) {
  const GroupTile* tiles = group_tiles();
  const int64_t groups = (w.n + kGroupRows - 1) / kGroupRows, blocks = w.k / w.block, m = a.rows;
  const int64_t tiles_per_group = (m + kTileRows - 1) / kTileRows;
  const int64_t grain = std::max<int64_t>(1, 32768 / (w.group_bytes * tiles_per_group));
  const int64_t row_block = std::max<int64_t>(kTileRows, kARowBytesInL2 / w.k / kTileRows * kTileRows);
  pool.parallel_for(groups, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r0 = 0; r0 < m; r0 += row_block) {
      size_t part = 0;  // the output holding group g, whose first group is `first`
      int64_t first = 0;
      for (int64_t g = begin; g < end; ++g) {
        while (g >= first + groups_of(outputs[part])) first += groups_of(outputs[part++]);
        const Q4Output& o = outputs[part];
        const int64_t col = (g - first) * kGroupRows;
        const uint8_t* wg = w.data.get() + g * w.group_bytes;
        const int cols = static_cast<int>(std::min<int64_t>(kGroupRows, o.n - col));
        for (int64_t t0 = r0; t0 < std::min(m, r0 + row_block); t0 += kTileRows) {
          const int tm = static_cast<int>(std::min<int64_t>(kTileRows, m - t0));
          ARows rows;
          float* y_rows[kTileRows];
          for (int t = 0; t < tm; ++t) {
            rows.values[t] = a.values.data() + (t0 + t) * w.k;
            rows.scales[t] = a.scales.data() + (t0 + t) * blocks;
            rows.zero[t] = a.zero.data() + (t0 + t) * blocks;
            y_rows[t] = o.y + (t0 + t) * o.n + col;
          }
          tiles[tm - 1](wg, blocks, w.block, rows, y_rows, cols);
        }
      }
    }
  });
}

}  // namespace onnxgen
