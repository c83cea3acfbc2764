#include "runtime/ops/cpu/q4_int8_gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "runtime/core/error.h"
#include "runtime/core/huge_page_arena.h"
#include "runtime/ops/cpu/mapped_weights.h"
#include "runtime/ops/matmul_nbits_inputs.h"

namespace onnxgen {
namespace {

// Packed weights: groups of 16 rows (the last padded with zero-scale rows), each group every
// block in order, each block
//   block / 8 chunks of 64 bytes: byte 4i + j of a chunk holds row i's codes 8c + j (low nibble)
//                                 and 8c + 4 + j (high nibble), c the chunk within the block
//   float scale[16]               the 16 rows' scales of the block
// so a chunk's low nibbles are, per row, 4 consecutive codes that meet 4 consecutive bytes of A,
// and a 64-byte load is one chunk of all 16 rows (AVX2 takes each half of 8 rows on its own).
constexpr int kGroupRows = kQ4GroupRows;
constexpr int kHalfRows = kGroupRows / 2;
constexpr int64_t kCodesPerChunk = 8;
constexpr int64_t kChunkBytes = kGroupRows * 4;
constexpr int64_t kScaleBytes = kGroupRows * sizeof(float);
constexpr int kZeroPoint = 8;
constexpr int kMaxTileRows = 8;
// Tiles of several rows spend long enough on each load that the hardware prefetcher falls behind;
// they ask for the weights this far ahead themselves (a one-row tile does better without).
constexpr int64_t kPrefetchBytes = 1024;
// Rows of A a thread keeps in L2 while its weight groups pass by.
constexpr int64_t kARowBytesInL2 = 256 * 1024;
constexpr int64_t kPackSlabBytes = 4 << 20;

int64_t block_bytes(int64_t block) { return block / 2 * kGroupRows + kScaleBytes; }
int64_t groups_of(int64_t rows) { return (rows + kGroupRows - 1) / kGroupRows; }

// Quantised A: tiles of a kernel's tile height (the last tile may hold fewer rows), each tile
// every block in order, each block of a tile of R rows
//   block / 8 chunks of R * 8 bytes: row t's 8 values of the chunk at 8t
//   float scale[R], int32 zero[R]    zero: -8 * the sum of the row's int8 values in the block
// so a tile kernel walks one stream with every broadcast at a constant offset.
int64_t a_block_bytes(int64_t block, int64_t rows) { return rows * (block + sizeof(float) + sizeof(int32_t)); }

// y[t][16g .. 16g + cols) for one group of weight rows and a tile of TM rows of A; zp: the
// group's zero points, [blocks][16] bytes (tiles for symmetric weights take none).
using GroupTile = void (*)(const uint8_t* w, const uint8_t* zp, int64_t blocks, int64_t block, const int8_t* a,
                           float* const* y, int cols);

struct TileSet {
  const GroupTile* tiles;  // tiles[tm - 1] takes tm rows of A
  int max_rows;
};

inline int32_t load4(const int8_t* a) {
  int32_t v;
  std::memcpy(&v, a, sizeof v);
  return v;
}

// A tile's block: its chunks, then each row's scale and zero.
template <int TM>
struct ATileBlock {
  const int8_t* values;
  const float* scales;
  const int32_t* zero;
  ATileBlock(const int8_t* a, int64_t block)
      : values(a),
        scales(reinterpret_cast<const float*>(a + TM * block)),
        zero(reinterpret_cast<const int32_t*>(a + TM * block) + TM) {}
};

namespace avx2 {
#pragma GCC push_options
#pragma GCC target("avx2,fma")
// One half (h: rows 8h .. 8h + 7) of a group against TM rows of A: each 32-byte half-chunk is
// unpacked once for all of them, and maddubs + madd stand in for dpbusd (each 16-bit sum holds two
// products of at most 15 * 127, so it cannot saturate).
template <int TM, int CHUNKS, bool ZP>
void half_tile(const uint8_t* w, const uint8_t* zp, int64_t blocks, int64_t block, const int8_t* a, float* const* y,
               int h, int cols) {
  const __m256i low_mask = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1);
  const int64_t chunks = CHUNKS ? CHUNKS : block / kCodesPerChunk;
  w += h * kChunkBytes / 2;
  __m256 acc[TM];
  for (int t = 0; t < TM; ++t) acc[t] = _mm256_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b, a += a_block_bytes(block, TM)) {
    const ATileBlock<TM> ab(a, block);
    __m256i dot[TM];
    if constexpr (ZP) {
      // -zero_point * the sum of A's block, per row: ab.zero is -8 times that sum.
      const __m256i zpv =
          _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(zp + b * kGroupRows + h * kHalfRows)));
      for (int t = 0; t < TM; ++t) dot[t] = _mm256_mullo_epi32(zpv, _mm256_set1_epi32(ab.zero[t] / kZeroPoint));
    } else {
      for (int t = 0; t < TM; ++t) dot[t] = _mm256_set1_epi32(ab.zero[t]);
    }
#pragma GCC unroll 16
    for (int64_t c = 0; c < chunks; ++c, w += kChunkBytes) {
      if constexpr (TM > 1) _mm_prefetch(reinterpret_cast<const char*>(w) + kPrefetchBytes, _MM_HINT_T0);
      const __m256i bytes = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));
      const __m256i lo = _mm256_and_si256(bytes, low_mask);
      const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), low_mask);
      for (int t = 0; t < TM; ++t) {
        const int8_t* at = ab.values + (c * TM + t) * kCodesPerChunk;
        const __m256i pairs = _mm256_add_epi16(_mm256_maddubs_epi16(lo, _mm256_set1_epi32(load4(at))),
                                               _mm256_maddubs_epi16(hi, _mm256_set1_epi32(load4(at + 4))));
        dot[t] = _mm256_add_epi32(dot[t], _mm256_madd_epi16(pairs, ones));
      }
    }
    const __m256 w_scales = _mm256_load_ps(reinterpret_cast<const float*>(w));
    w += kScaleBytes;
    for (int t = 0; t < TM; ++t)
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot[t]), _mm256_mul_ps(w_scales, _mm256_set1_ps(ab.scales[t])),
                               acc[t]);
  }
  for (int t = 0; t < TM; ++t) {
    alignas(32) float lanes[kHalfRows];
    _mm256_store_ps(lanes, acc[t]);
    std::copy_n(lanes, cols, y[t] + h * kHalfRows);
  }
}

template <int TM, int CHUNKS, bool ZP>
void group_tile(const uint8_t* w, const uint8_t* zp, int64_t blocks, int64_t block, const int8_t* a, float* const* y,
                int cols) {
  half_tile<TM, CHUNKS, ZP>(w, zp, blocks, block, a, y, 0, std::min(cols, kHalfRows));
  if (cols > kHalfRows) half_tile<TM, CHUNKS, ZP>(w, zp, blocks, block, a, y, 1, cols - kHalfRows);
}
#pragma GCC pop_options

template <int CHUNKS, bool ZP>
constexpr GroupTile kTilesOf[] = {group_tile<1, CHUNKS, ZP>, group_tile<2, CHUNKS, ZP>, group_tile<3, CHUNKS, ZP>,
                                  group_tile<4, CHUNKS, ZP>};
}  // namespace avx2

namespace vnni512 {
#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f,avx512bw,avx512vl,avx512vnni")
// A whole group against TM rows of A: each 64-byte chunk is unpacked once and meets every row
// with two dpbusd of 64 products each. Eight rows hold 16 accumulators in registers, and per
// product this runs ~2.9x the mix of 8-row groups in 256-bit registers with 4-row tiles.
template <int TM, int CHUNKS, bool ZP>
void group_tile(const uint8_t* w, const uint8_t* zp, int64_t blocks, int64_t block, const int8_t* a, float* const* y,
                int cols) {
  const __m512i low_mask = _mm512_set1_epi8(0x0F);
  const int64_t chunks = CHUNKS ? CHUNKS : block / kCodesPerChunk;
  __m512 acc[TM];
  for (int t = 0; t < TM; ++t) acc[t] = _mm512_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b, a += a_block_bytes(block, TM)) {
    const ATileBlock<TM> ab(a, block);
    __m512i dot[TM];
    if constexpr (ZP) {
      // -zero_point * the sum of A's block, per row: ab.zero is -8 times that sum.
      const __m512i zpv =
          _mm512_maskz_cvtepu8_epi32(0xFFFF, _mm_load_si128(reinterpret_cast<const __m128i*>(zp + b * kGroupRows)));
      for (int t = 0; t < TM; ++t) dot[t] = _mm512_mullo_epi32(zpv, _mm512_set1_epi32(ab.zero[t] / kZeroPoint));
    } else {
      for (int t = 0; t < TM; ++t) dot[t] = _mm512_set1_epi32(ab.zero[t]);
    }
#pragma GCC unroll 16
    for (int64_t c = 0; c < chunks; ++c, w += kChunkBytes) {
      if constexpr (TM > 1) _mm_prefetch(reinterpret_cast<const char*>(w) + kPrefetchBytes, _MM_HINT_T0);
      const __m512i bytes = _mm512_load_si512(w);
      const __m512i lo = _mm512_and_si512(bytes, low_mask);
      const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(bytes, 4), low_mask);
      for (int t = 0; t < TM; ++t) {
        const int8_t* at = ab.values + (c * TM + t) * kCodesPerChunk;
        dot[t] = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(dot[t], lo, _mm512_set1_epi32(load4(at))), hi,
                                     _mm512_set1_epi32(load4(at + 4)));
      }
    }
    const __m512 w_scales = _mm512_load_ps(w);
    w += kScaleBytes;
    for (int t = 0; t < TM; ++t)
      // (The masked form: GCC 12 warns the plain one reads an uninitialised vector.)
      acc[t] = _mm512_fmadd_ps(_mm512_maskz_cvtepi32_ps(0xFFFF, dot[t]),
                               _mm512_mul_ps(w_scales, _mm512_set1_ps(ab.scales[t])), acc[t]);
  }
  const auto mask = static_cast<__mmask16>((1u << cols) - 1);
  for (int t = 0; t < TM; ++t) _mm512_mask_storeu_ps(y[t], mask, acc[t]);
}
#pragma GCC pop_options

template <int CHUNKS, bool ZP>
constexpr GroupTile kTilesOf[] = {group_tile<1, CHUNKS, ZP>, group_tile<2, CHUNKS, ZP>, group_tile<3, CHUNKS, ZP>,
                                  group_tile<4, CHUNKS, ZP>, group_tile<5, CHUNKS, ZP>, group_tile<6, CHUNKS, ZP>,
                                  group_tile<7, CHUNKS, ZP>, group_tile<8, CHUNKS, ZP>};
}  // namespace vnni512

constexpr int tile_rows_of(Q4Kernel kernel) { return kernel == Q4Kernel::kAvx512Vnni ? 8 : 4; }

// Blocks of 32, the common size, get tiles with their chunk loop unrolled: fewer registers held
// across it, and no copies of the accumulators the compiler adds around a loop of unknown length.
template <bool ZP>
TileSet tile_set(Q4Kernel kernel, int64_t block) {
  if (kernel == Q4Kernel::kAvx512Vnni)
    return TileSet{block == 32 ? vnni512::kTilesOf<4, ZP> : vnni512::kTilesOf<0, ZP>, tile_rows_of(kernel)};
  return TileSet{block == 32 ? avx2::kTilesOf<4, ZP> : avx2::kTilesOf<0, ZP>, tile_rows_of(kernel)};
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

// One block of A: round(a / scale) with the current (to-nearest-even) rounding, as nearbyint;
// each 8 values go to q + chunk_stride * their chunk.
__attribute__((target("avx2,fma"))) void quantize_block(const float* a, int64_t len, int8_t* q, int64_t chunk_stride,
                                                        float* scale, int32_t* zero) {
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
    alignas(32) int8_t ordered[32];
    _mm256_store_si256(reinterpret_cast<__m256i*>(ordered), _mm256_permutevar8x32_epi32(bytes, order));
    for (int64_t c = 0; c < 4; ++c) std::memcpy(q + (i / kCodesPerChunk + c) * chunk_stride, ordered + 8 * c, 8);
  }
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  *zero = -kZeroPoint * _mm_cvtsi128_si32(s);
}

// Row `row`'s zero point in block b: its nibble, or 8 for symmetric weights and padding rows.
uint8_t zero_point_of(const Q4Weights& w, int64_t row, int64_t b) {
  if (!w.zero_points || row >= w.n) return kZeroPoint;
  return q4_zero_point(w.zero_points + row * q4_zero_point_row_bytes(w.k / w.block), b);
}

}  // namespace

bool q4_int8_supported() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2");
}

bool q4_kernel_supported(Q4Kernel kernel) {
  if (!q4_int8_supported()) return false;
  return kernel == Q4Kernel::kAvx2 || (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                                       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni"));
}

Q4Kernel q4_best_kernel() {
  static const Q4Kernel best = q4_kernel_supported(Q4Kernel::kAvx512Vnni) ? Q4Kernel::kAvx512Vnni : Q4Kernel::kAvx2;
  return best;
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
  const int64_t groups = groups_of(out.n), blocks = out.k / out.block;
  const auto bytes = static_cast<size_t>(groups * out.group_bytes);
  out.data = {static_cast<uint8_t*>(huge_page_arena::allocate(bytes)), huge_page_arena::free};
  if (std::any_of(parts.begin(), parts.end(), [](const Q4Weights& w) { return w.zero_points != nullptr; }))
    out.zero_points = std::make_unique<uint8_t[]>(static_cast<size_t>(groups * blocks * kGroupRows));
  uint8_t* dst = out.data.get();
  uint8_t* zp_dst = out.zero_points.get();
  for (size_t p = 0; p < parts.size(); ++p) {
    const Q4Weights& w = parts[p];
    const int64_t part_groups = groups_of(w.n);
    if (zp_dst) {
      for (int64_t row = 0; row < part_groups * kGroupRows; ++row)
        for (int64_t b = 0; b < blocks; ++b)
          zp_dst[((row / kGroupRows) * blocks + b) * kGroupRows + row % kGroupRows] = zero_point_of(w, row, b);
      zp_dst += part_groups * blocks * kGroupRows;
    }
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
        const int64_t row_scales = w.k / w.block;
        release_mapped_pages(w.codes + r0 * row_bytes, static_cast<size_t>((r1 - r0) * row_bytes));
        release_mapped_pages(w.scales + r0 * row_scales, static_cast<size_t>((r1 - r0) * row_scales) * sizeof(float));
      }
    }
    dst += part_groups * out.group_bytes;
  }
  return out;
}

const Q4PackedWeights& Q4PackedOnce::get(ThreadPool& pool, std::span<const Q4Weights> parts,
                                         std::span<const bool> release_source) {
  std::lock_guard<std::mutex> lock(mu_);
  bool same = packed_.data && sources_.size() == 3 * parts.size();
  for (size_t i = 0; same && i < parts.size(); ++i)
    same = sources_[3 * i] == parts[i].codes && sources_[3 * i + 1] == parts[i].scales &&
           sources_[3 * i + 2] == parts[i].zero_points;
  if (!same) {
    packed_ = q4_pack_weights(pool, parts, release_source);
    sources_.clear();
    for (const Q4Weights& w : parts) {
      sources_.push_back(w.codes);
      sources_.push_back(w.scales);
      sources_.push_back(w.zero_points);
    }
  }
  return packed_;
}

void q4_quantize_a(const float* a, int64_t m, int64_t k, int64_t block, Q4QuantizedA& out, Q4Kernel kernel) {
  const int64_t blocks = k / block, tile = tile_rows_of(kernel);
  out.rows = m;
  out.k = k;
  out.block = block;
  out.tile_rows = static_cast<int>(tile);
  const auto bytes = static_cast<size_t>(blocks * a_block_bytes(block, m));
  if (out.data.size() < bytes) out.data.resize(bytes);
  for (int64_t t0 = 0; t0 < m; t0 += tile) {
    const int64_t rows = std::min(tile, m - t0);
    int8_t* tile_data = out.data.data() + t0 * blocks * a_block_bytes(block, 1);
    for (int64_t b = 0; b < blocks; ++b) {
      int8_t* values = tile_data + b * a_block_bytes(block, rows);
      auto* scales = reinterpret_cast<float*>(values + rows * block);
      auto* zero = reinterpret_cast<int32_t*>(scales + rows);
      for (int64_t t = 0; t < rows; ++t)
        quantize_block(a + (t0 + t) * k + b * block, block, values + t * kCodesPerChunk, rows * kCodesPerChunk,
                       scales + t, zero + t);
    }
  }
}

void q4_int8_gemm(ThreadPool& pool, const Q4PackedWeights& w, const Q4QuantizedA& a, float* y) {
  const Q4Output out[] = {{y, w.n}};
  q4_int8_gemm(pool, w, a, out);
}

void q4_int8_gemm(ThreadPool& pool, const Q4PackedWeights& w, const Q4QuantizedA& a, std::span<const Q4Output> outputs,
                  Q4Kernel kernel) {
  const TileSet set = w.zero_points ? tile_set<true>(kernel, w.block) : tile_set<false>(kernel, w.block);
  ONNXGEN_CHECK(a.k == w.k && a.block == w.block && a.tile_rows == set.max_rows, "q4_int8_gemm: A quantised for K ",
                a.k, ", block ", a.block, " and tiles of ", a.tile_rows, " rows, the weights and kernel want ", w.k,
                ", ", w.block, " and ", set.max_rows);
  const int64_t tile_rows = set.max_rows;
  const int64_t groups = groups_of(w.n), blocks = w.k / w.block, m = a.rows;
  const int64_t tiles_per_group = (m + tile_rows - 1) / tile_rows;
  const int64_t grain = std::max<int64_t>(1, 32768 / (w.group_bytes * tiles_per_group));
  const int64_t row_block = std::max<int64_t>(tile_rows, kARowBytesInL2 / w.k / tile_rows * tile_rows);
  const int64_t a_row_bytes = blocks * a_block_bytes(w.block, 1);
  pool.parallel_for(groups, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r0 = 0; r0 < m; r0 += row_block) {
      size_t part = 0;  // the output holding group g, whose first group is `first`
      int64_t first = 0;
      for (int64_t g = begin; g < end; ++g) {
        while (g >= first + groups_of(outputs[part].n)) first += groups_of(outputs[part++].n);
        const Q4Output& o = outputs[part];
        const int64_t col = (g - first) * kGroupRows;
        const uint8_t* wg = w.data.get() + g * w.group_bytes;
        const uint8_t* zp = w.zero_points ? w.zero_points.get() + g * blocks * kGroupRows : nullptr;
        const int cols = static_cast<int>(std::min<int64_t>(kGroupRows, o.n - col));
        for (int64_t t0 = r0; t0 < std::min(m, r0 + row_block); t0 += tile_rows) {
          const int tm = static_cast<int>(std::min<int64_t>(tile_rows, m - t0));
          float* y_rows[kMaxTileRows];
          for (int t = 0; t < tm; ++t) y_rows[t] = o.y + (t0 + t) * o.n + col;
          set.tiles[tm - 1](wg, zp, blocks, w.block, a.data.data() + t0 * a_row_bytes, y_rows, cols);
        }
      }
    }
  });
}

}  // namespace onnxgen
