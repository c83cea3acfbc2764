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
#include <vector>

#include "runtime/core/scratch.h"
#include "runtime/core/simd.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/dot.h"
#include "runtime/ops/cpu/half_convert.h"
#include "runtime/ops/cpu/vector_math.h"
#include "runtime/ops/paged_attention_inputs.h"

namespace onnxgen {
namespace {

// acc += sum over rows r of p[r] * v[r]: one row of `d` floats per key.
ONNXGEN_SIMD_CLONES
void accumulate_rows(float* __restrict acc, const float* __restrict p, const float* __restrict v, int64_t rows,
                     int64_t d) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < d; ++i) acc[i] += p[r] * v[r * d + i];
}

ONNXGEN_SIMD_CLONES
void widen(const Float16* __restrict src, float* __restrict dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = half_to_float(src[i]);
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
  void attend(const KernelContext& ctx, const Geometry& g, Tensor& out) const {
    const A* q = ctx.required(0).data<A>();
    const C* kc = ctx.required(3).data<C>();
    const C* vc = ctx.required(4).data<C>();
    const int32_t* tables = ctx.required(6).data<int32_t>();
    const int32_t* lens = ctx.required(7).data<int32_t>();
    const int32_t* loc = ctx.required(8).data<int32_t>();
    A* y = out.data<A>();
    const float scale = attrs_.scale > 0 ? attrs_.scale : 1.0f / std::sqrt(static_cast<float>(g.dim));
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
        const int64_t first = attrs_.window > 0 ? std::max<int64_t>(0, pos - attrs_.window + 1) : 0;
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
          if (attrs_.softcap > 0)
            for (int64_t j = 0; j < keys; ++j) scores[j] = attrs_.softcap * tanh_approx(scores[j] / attrs_.softcap);
          const float new_max = std::max(max, *std::max_element(scores, scores + keys));
          if (max != -INFINITY && new_max != max) {
            const float rescale = exp_approx(max - new_max);
            sum *= rescale;
            for (int64_t d = 0; d < g.dim; ++d) acc[d] *= rescale;
          }
          max = new_max;
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

  // Cache rows as floats: float32 rows are used in place, float16 rows widened into `scratch`.
  template <class C>
  static const float* cache_rows(const C* src, float* scratch, int64_t n) {
    if constexpr (std::is_same_v<C, float>) {
      return src;
    } else {
      widen(src, scratch, n);
      return scratch;
    }
  }

  PagedAttentionAttrs attrs_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.onnxgen", "PagedAttention", 1, ONNXGEN_LATEST, PagedAttention);

}  // namespace onnxgen
