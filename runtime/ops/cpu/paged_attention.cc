// com.onnxgen PagedAttention: attention for a flattened batch of tokens from many sequences,
// reading and writing a paged KV cache through block tables (vLLM's design). One run mixes the
// prefill of some sequences with the decode of others.
//
// Inputs:  0 query [T, H*D]   1 key [T, KVH*D]   2 value [T, KVH*D]   (T = tokens of all sequences)
//          3 key_cache, 4 value_cache [num_blocks, KVH, block_size, D], float32 or float16,
//            written in place: the graph rewrite hands the block pool's storage to this op
//          5 slot_mapping [T] int32: cache slot (block * block_size + offset) of each new token
//          6 block_tables [S, max_blocks] int32   7 context_lens [S] int32: tokens in cache after
//            this step   8 query_start_loc [S + 1] int32: sequence s owns tokens [loc[s], loc[s+1])
// Output:  [T, H*D] in the query's dtype.
// Attributes: num_heads, num_kv_heads, scale (default 1/sqrt(D)), softcap (0: none),
//             sliding_window (0: none; a token sees itself and the window - 1 before it).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "runtime/core/scratch.h"
#include "runtime/core/simd.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/dot.h"
#include "runtime/ops/cpu/half_convert.h"
#include "runtime/ops/cpu/paged_decode.h"
#include "runtime/ops/cpu/vector_math.h"
#include "runtime/ops/paged_attention_inputs.h"

namespace onnxgen {
namespace {

// With the head size known at compile time the accumulator lives in registers across the rows;
// otherwise every row would reload and store it.
template <int64_t D>
inline __attribute__((always_inline)) void accumulate_rows_of(float* __restrict acc, const float* __restrict p,
                                                             const float* __restrict v, int64_t rows) {
  float a[D];
  for (int64_t i = 0; i < D; ++i) a[i] = acc[i];
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < D; ++i) a[i] += p[r] * v[r * D + i];
  for (int64_t i = 0; i < D; ++i) acc[i] = a[i];
}

// acc += sum over rows r of p[r] * v[r]: one row of `d` floats per key.
ONNXGEN_SIMD_CLONES
void accumulate_rows(float* __restrict acc, const float* __restrict p, const float* __restrict v, int64_t rows,
                     int64_t d) {
  if (d == 64) return accumulate_rows_of<64>(acc, p, v, rows);
  if (d == 128) return accumulate_rows_of<128>(acc, p, v, rows);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < d; ++i) acc[i] += p[r] * v[r * d + i];
}

// Online softmax: a row's running max becomes max(max, seen), and its sum and output accumulator
// are rescaled to the new max.
inline void raise_max(float& max, float& sum, float* acc, int64_t dim, float seen) {
  const float new_max = std::max(max, seen);
  if (max != -INFINITY && new_max != max) {
    const float rescale = exp_approx(max - new_max);
    sum *= rescale;
    for (int64_t d = 0; d < dim; ++d) acc[d] *= rescale;
  }
  max = new_max;
}

// Prefill works on tiles: several query rows against kTileKeys keys of a block at a time.
constexpr int64_t kTileKeys = 16;

// kt[x][c] = k[c][x] for the n (<= kTileKeys) rows of a block, zero past them, so that the scores
// below run along the keys: products into one vector per query row, no horizontal sums.
ONNXGEN_SIMD_CLONES
void transpose_block(const float* __restrict k, int64_t n, int64_t d, float* __restrict kt) {
  for (int64_t x = 0; x < d; ++x)
    for (int64_t c = 0; c < kTileKeys; ++c) kt[x * kTileKeys + c] = c < n ? k[c * d + x] : 0.0f;
}

// s[r][c] = q[r] · k[c] for `rows` query rows (stride d) and a transposed block, four rows at a
// time so that four independent chains of multiply-adds hide their latency. A GCC vector of the
// block's kTileKeys lanes keeps each row's scores in one register (two or four on narrower ISAs).
using KeyLanes = float __attribute__((vector_size(kTileKeys * sizeof(float))));

template <int R>
inline __attribute__((always_inline)) void scores_of(const float* __restrict q, int64_t d,
                                                    const float* __restrict kt, float* __restrict s) {
  KeyLanes acc[R] = {};
  for (int64_t x = 0; x < d; ++x) {
    KeyLanes k;
    std::memcpy(&k, kt + x * kTileKeys, sizeof k);
    for (int r = 0; r < R; ++r) acc[r] += q[r * d + x] * k;
  }
  for (int r = 0; r < R; ++r) std::memcpy(s + r * kTileKeys, &acc[r], sizeof acc[r]);
}

ONNXGEN_SIMD_CLONES
void tile_scores(const float* __restrict q, int64_t rows, int64_t d, const float* __restrict kt,
                 float* __restrict s) {
  int64_t r = 0;
  for (; r + 4 <= rows; r += 4) scores_of<4>(q + r * d, d, kt, s + r * kTileKeys);
  for (; r < rows; ++r) scores_of<1>(q + r * d, d, kt, s + r * kTileKeys);
}

template <class T>
float to_f(T v) {
  if constexpr (std::is_same_v<T, float>) return v;
  else return half_to_float(v);
}

template <class T>
T from_f(float v) {
  if constexpr (std::is_same_v<T, float>) return v;
  else return float_to_half(v);
}

using Geometry = PagedGeometry;

class PagedAttention : public OpKernel {
 public:
  explicit PagedAttention(const KernelInit& init) : attrs_(init) {}

  void compute(KernelContext& ctx) override {
    const Tensor& q = ctx.required(0);
    const Tensor& kc = ctx.required(3);
    ONNXGEN_CHECK(kc.dtype() == DataType::kFloat || kc.dtype() == DataType::kFloat16,
                  "the KV cache must be float32 or float16, got ", kc.describe());
    ONNXGEN_CHECK(q.dtype() == DataType::kFloat || q.dtype() == DataType::kFloat16,
                  "query must be float32 or float16, got ", q.describe());
    Geometry g = check_paged_inputs(ctx, attrs_);
    Tensor& out = ctx.allocate(0, q.dtype(), q.shape());
    auto run = [&](auto act, auto cache) {
      using A = decltype(act);
      using C = decltype(cache);
      write_cache<A, C>(ctx, g);
      attend<A, C>(ctx, g, out);
    };
    if (q.dtype() == DataType::kFloat) {
      if (kc.dtype() == DataType::kFloat) run(float{}, float{});
      else run(float{}, Float16{});
    } else {
      if (kc.dtype() == DataType::kFloat) run(Float16{}, float{});
      else run(Float16{}, Float16{});
    }
  }

 private:
  template <class A, class C>
  static void write_cache(const KernelContext& ctx, const Geometry& g) {
    const A* k = ctx.required(1).data<A>();
    const A* v = ctx.required(2).data<A>();
    C* kc = ctx.required(3).data<C>();
    C* vc = ctx.required(4).data<C>();
    const int32_t* slots = ctx.required(5).data<int32_t>();
    for (int64_t t = 0; t < g.tokens; ++t) {
      if (slots[t] < 0) continue;  // padding token
      int64_t block = slots[t] / g.block_size, offset = slots[t] % g.block_size;
      for (int64_t h = 0; h < g.kv_heads; ++h) {
        int64_t dst = ((block * g.kv_heads + h) * g.block_size + offset) * g.dim;
        int64_t src = (t * g.kv_heads + h) * g.dim;
        for (int64_t d = 0; d < g.dim; ++d) {
          kc[dst + d] = from_f<C>(to_f(k[src + d]));
          vc[dst + d] = from_f<C>(to_f(v[src + d]));
        }
      }
    }
  }

  template <class A, class C>
  struct Operands {
    Operands(const KernelContext& ctx, Tensor& out)
        : q(ctx.required(0).data<A>()), kc(ctx.required(3).data<C>()), vc(ctx.required(4).data<C>()),
          tables(ctx.required(6).data<int32_t>()), lens(ctx.required(7).data<int32_t>()),
          loc(ctx.required(8).data<int32_t>()), y(out.data<A>()) {}
    const A* q;
    const C* kc;
    const C* vc;
    const int32_t* tables;
    const int32_t* lens;
    const int32_t* loc;
    A* y;
  };

  template <class A, class C>
  void attend(const KernelContext& ctx, const Geometry& g, Tensor& out) const {
    const Operands<A, C> ops(ctx, out);
    const auto [q, kc, vc, tables, lens, loc, y] = ops;
    const float scale = attrs_.scale > 0 ? attrs_.scale : 1.0f / std::sqrt(static_cast<float>(g.dim));
    if (paged_decode_supports(g.dim, g.block_size)) {
      // Sequences querying one token go to paged_decode whatever else is in the step, so a
      // decoding sequence's result never depends on its batch.
      attend_tiles(ctx, g, ops, scale, /*single_tokens=*/false);
      attend_decode(ctx, g, ops, scale);
      return;
    }
    if (g.block_size % kTileKeys == 0 && attend_tiles(ctx, g, ops, scale, /*single_tokens=*/true)) return;
    const int64_t group = g.heads / g.kv_heads;
    const std::span<int32_t> seq_of = thread_scratch<int32_t, struct SeqOfToken>(static_cast<size_t>(g.tokens));
    for (int64_t s = 0; s < g.seqs; ++s)
      for (int32_t t = loc[s]; t < loc[s + 1]; ++t) seq_of[t] = static_cast<int32_t>(s);

    // One work item per (token, query head). Its keys go in passes of up to kKeysPerPass, block
    // by block (a block's rows are contiguous): the pass's scores with one vectorised dot per row,
    // their exponentials in one sweep, then the probability-weighted sum of value rows; the
    // running max and sum carry across passes (online softmax), so scratch stays fixed however
    // long the context.
    constexpr int64_t kKeysPerPass = 512;
    const auto dim = static_cast<size_t>(g.dim), block_floats = static_cast<size_t>(g.block_size * g.dim);
    const ChunkScratch<float, struct AttendRows> scratch(ctx.pool(), 2 * dim + block_floats + kKeysPerPass);
    ctx.pool().parallel_for(g.tokens * g.heads, 1, [&](int64_t begin, int64_t end) {
      const std::span<float> rows = scratch.mine();
      float* qf = rows.data();
      float* acc = qf + dim;
      float* widened = acc + dim;
      float* scores = widened + block_floats;
      for (int64_t item = begin; item < end; ++item) {
        const int64_t t = item / g.heads, h = item % g.heads, kvh = h / group;
        const int64_t s = seq_of[t];
        const int64_t pos = lens[s] - (loc[s + 1] - t);  // absolute position of token t
        const int64_t first = first_key(pos);
        for (int64_t d = 0; d < g.dim; ++d) qf[d] = to_f(q[(t * g.heads + h) * g.dim + d]) * scale;
        std::fill(acc, acc + g.dim, 0.0f);
        float max = -INFINITY, sum = 0;
        for (int64_t lo = first; lo <= pos; lo += kKeysPerPass) {
          const int64_t hi = std::min(pos, lo + kKeysPerPass - 1), keys = hi - lo + 1;
          // fn(index of the run's first key in this pass, its rows, row count) per run of keys.
          const auto for_each_block = [&](const C* cache, auto&& fn) {
            for (int64_t j = lo; j <= hi;) {
              const int64_t offset = j % g.block_size, n = std::min(g.block_size - offset, hi + 1 - j);
              const int64_t block = tables[s * g.max_blocks + j / g.block_size];
              fn(j - lo, cache + ((block * g.kv_heads + kvh) * g.block_size + offset) * g.dim, n);
              j += n;
            }
          };
          for_each_block(kc, [&](int64_t at, const C* k, int64_t n) {
            dot_rows(qf, cache_rows(k, widened, n * g.dim), n, g.dim, scores + at);
          });
          apply_softcap(scores, keys);
          raise_max(max, sum, acc, g.dim, *std::max_element(scores, scores + keys));
          sum += exp_shifted_sum(scores, max, scores, keys);
          for_each_block(vc, [&](int64_t at, const C* v, int64_t n) {
            accumulate_rows(acc, scores + at, cache_rows(v, widened, n * g.dim), n, g.dim);
          });
        }
        const float inv = 1.0f / sum;
        for (int64_t d = 0; d < g.dim; ++d) y[(t * g.heads + h) * g.dim + d] = from_f<A>(acc[d] * inv);
      }
    });
  }

  // Prefill: one work item per (sequence, KV head, tile of up to kTileTokens consecutive query
  // tokens); its rows are those tokens times the query heads sharing the KV head, so each block of
  // keys and values is read (and transposed) once for all of them. Each row keeps an online
  // softmax; keys outside a row's causal or sliding window range are masked. Sequences querying
  // one token are left out unless `single_tokens`. Returns false, doing nothing, when the step is
  // all decode, where one query meets each key.
  template <class A, class C>
  bool attend_tiles(const KernelContext& ctx, const Geometry& g, const Operands<A, C>& ops, float scale,
                    bool single_tokens) const {
    constexpr int64_t kTileTokens = 16;
    const auto [q, kc, vc, tables, lens, loc, y] = ops;
    const int64_t group = g.heads / g.kv_heads;
    bool prefill = false;
    int64_t tiles = 0;
    const auto tiled = [&](int64_t s) { return single_tokens || loc[s + 1] - loc[s] > 1; };
    for (int64_t s = 0; s < g.seqs; ++s) {
      prefill |= loc[s + 1] - loc[s] > 1;
      if (tiled(s)) tiles += (loc[s + 1] - loc[s] + kTileTokens - 1) / kTileTokens;
    }
    if (!prefill) return false;
    // Tile i: sequence and first token.
    const std::span<int32_t> tile_seq = thread_scratch<int32_t, struct TileSeq>(static_cast<size_t>(2 * tiles));
    int64_t at = 0;
    for (int64_t s = 0; s < g.seqs; ++s)
      for (int32_t t = loc[s]; tiled(s) && t < loc[s + 1]; t += kTileTokens) {
        tile_seq[2 * at] = static_cast<int32_t>(s);
        tile_seq[2 * at + 1] = t;
        ++at;
      }
    const auto dim = static_cast<size_t>(g.dim), rows_cap = static_cast<size_t>(kTileTokens * group);
    const size_t block_floats = kTileKeys * dim;
    // Per thread: queries, outputs, transposed keys, widened keys or values, scores, max and sum.
    const ChunkScratch<float, struct TileRows> scratch(
        ctx.pool(), 2 * rows_cap * dim + 2 * block_floats + rows_cap * kTileKeys + 2 * rows_cap);
    ctx.pool().parallel_for(tiles * g.kv_heads, 1, [&](int64_t begin, int64_t end) {
      const std::span<float> mem = scratch.mine();
      float* qf = mem.data();
      float* o = qf + rows_cap * dim;
      float* kt = o + rows_cap * dim;
      float* widened = kt + block_floats;
      float* sc = widened + block_floats;
      float* row_max = sc + rows_cap * kTileKeys;
      float* row_sum = row_max + rows_cap;
      for (int64_t item = begin; item < end; ++item) {
        const int64_t tile = item / g.kv_heads, kvh = item % g.kv_heads;
        const int64_t s = tile_seq[2 * tile], t0 = tile_seq[2 * tile + 1];
        const int64_t tokens = std::min<int64_t>(kTileTokens, loc[s + 1] - t0), rows = tokens * group;
        const int64_t pos0 = lens[s] - (loc[s + 1] - t0);  // position of the tile's first token
        // Row r: token r / group, query head kvh * group + r % group.
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t t = t0 + r / group, h = kvh * group + r % group;
          for (int64_t d = 0; d < g.dim; ++d) qf[r * g.dim + d] = to_f(q[(t * g.heads + h) * g.dim + d]) * scale;
          row_max[r] = -INFINITY;
          row_sum[r] = 0;
        }
        std::fill(o, o + rows * g.dim, 0.0f);
        const int64_t last = pos0 + tokens - 1;
        for (int64_t j0 = first_key(pos0) / kTileKeys * kTileKeys; j0 <= last; j0 += kTileKeys) {
          const int64_t n = std::min(kTileKeys, last + 1 - j0);
          const int64_t block = tables[s * g.max_blocks + j0 / g.block_size];
          const int64_t base = ((block * g.kv_heads + kvh) * g.block_size + j0 % g.block_size) * g.dim;
          transpose_block(cache_rows(kc + base, widened, n * g.dim), n, g.dim, kt);
          tile_scores(qf, rows, g.dim, kt, sc);
          const float* v = cache_rows(vc + base, widened, n * g.dim);
          for (int64_t r = 0; r < rows; ++r) {
            const int64_t pos = pos0 + r / group;
            const int64_t lo = std::max<int64_t>(first_key(pos) - j0, 0), hi = std::min(pos - j0 + 1, n);
            if (lo >= hi) continue;
            float* p = sc + r * kTileKeys;
            apply_softcap(p + lo, hi - lo);
            float* orow = o + r * g.dim;
            raise_max(row_max[r], row_sum[r], orow, g.dim, *std::max_element(p + lo, p + hi));
            row_sum[r] += exp_shifted_sum(p + lo, row_max[r], p + lo, hi - lo);
            accumulate_rows(orow, p + lo, v + lo * g.dim, hi - lo, g.dim);
          }
        }
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t t = t0 + r / group, h = kvh * group + r % group;
          const float inv = 1.0f / row_sum[r];
          for (int64_t d = 0; d < g.dim; ++d) y[(t * g.heads + h) * g.dim + d] = from_f<A>(o[r * g.dim + d] * inv);
        }
      }
    });
    return true;
  }

  // The sequences querying one token, through paged_decode: their queries scaled into float, and
  // their outputs narrowed back when activations are float16.
  template <class A, class C>
  void attend_decode(const KernelContext& ctx, const Geometry& g, const Operands<A, C>& ops, float scale) const {
    const int64_t row = g.heads * g.dim;
    const std::span<float> q = thread_scratch<float, struct DecodeQuery>(static_cast<size_t>(g.tokens * row));
    float* y = nullptr;
    if constexpr (std::is_same_v<A, float>) y = ops.y;
    else y = thread_scratch<float, struct DecodeOutput>(q.size()).data();
    const auto for_each_query = [&](auto&& fn) {
      for (int64_t s = 0; s < g.seqs; ++s)
        if (ops.loc[s + 1] - ops.loc[s] == 1)
          for (int64_t i = ops.loc[s] * row; i < (ops.loc[s] + 1) * row; ++i) fn(i);
    };
    for_each_query([&](int64_t i) { q[i] = to_f(ops.q[i]) * scale; });
    paged_decode(ctx.pool(), {q.data(), ops.kc, ops.vc, std::is_same_v<C, Float16>, ops.tables, ops.lens, ops.loc,
                              g.seqs, g.heads, g.kv_heads, g.dim, g.block_size, g.max_blocks, attrs_.softcap,
                              attrs_.window, y});
    if constexpr (!std::is_same_v<A, float>) for_each_query([&](int64_t i) { ops.y[i] = from_f<A>(y[i]); });
  }

  // The first key position `pos` attends to: 0, or the start of its sliding window.
  int64_t first_key(int64_t pos) const {
    return attrs_.window > 0 ? std::max<int64_t>(0, pos - attrs_.window + 1) : 0;
  }

  void apply_softcap(float* scores, int64_t n) const {
    if (attrs_.softcap > 0)
      for (int64_t j = 0; j < n; ++j) scores[j] = attrs_.softcap * tanh_approx(scores[j] / attrs_.softcap);
  }

  // Cache rows as floats: float32 rows are used in place, float16 rows widened into `scratch`.
  template <class C>
  static const float* cache_rows(const C* src, float* scratch, int64_t n) {
    if constexpr (std::is_same_v<C, float>) {
      return src;
    } else {
      widen_halves(src, scratch, n);
      return scratch;
    }
  }

  PagedAttentionAttrs attrs_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.onnxgen", "PagedAttention", 1, ONNXGEN_LATEST, PagedAttention);

}  // namespace onnxgen
