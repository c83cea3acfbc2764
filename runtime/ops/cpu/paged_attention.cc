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

// acc = acc * rescale + p * v
ONNXGEN_SIMD_CLONES
void scale_add(float* __restrict acc, float rescale, float p, const float* __restrict v, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] = acc[i] * rescale + p * v[i];
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

    // One work item per (token, query head); each keeps an online softmax over its keys.
    const ChunkScratch<float, struct AttendRows> scratch(ctx.pool(), 3 * static_cast<size_t>(g.dim));
    ctx.pool().parallel_for(g.tokens * g.heads, 1, [&](int64_t begin, int64_t end) {
      const std::span<float> rows = scratch.mine();
      float* qf = rows.data();
      float* acc = qf + g.dim;
      float* row = acc + g.dim;
      for (int64_t item = begin; item < end; ++item) {
        int64_t t = item / g.heads, h = item % g.heads, kvh = h / group;
        int64_t s = seq_of[t];
        int64_t pos = lens[s] - (loc[s + 1] - t);  // absolute position of token t
        int64_t first = attrs_.window > 0 ? std::max<int64_t>(0, pos - attrs_.window + 1) : 0;
        for (int64_t d = 0; d < g.dim; ++d) qf[d] = to_f(q[(t * g.heads + h) * g.dim + d]) * scale;
        std::fill(acc, acc + g.dim, 0.0f);
        float m = -INFINITY, l = 0;
        for (int64_t j = first; j <= pos; ++j) {
          int64_t block = tables[s * g.max_blocks + j / g.block_size];
          int64_t base = ((block * g.kv_heads + kvh) * g.block_size + j % g.block_size) * g.dim;
          float score = dot(qf, cache_row(kc + base, row, g.dim), g.dim);
          if (attrs_.softcap > 0) score = attrs_.softcap * tanh_approx(score / attrs_.softcap);
          float m_new = std::max(m, score);
          float rescale = exp_approx(m - m_new), p = exp_approx(score - m_new);
          l = l * rescale + p;
          scale_add(acc, rescale, p, cache_row(vc + base, row, g.dim), g.dim);
          m = m_new;
        }
        float inv = l > 0 ? 1.0f / l : 0.0f;
        for (int64_t d = 0; d < g.dim; ++d) y[(t * g.heads + h) * g.dim + d] = from_f<A>(acc[d] * inv);
      }
    });
  }

  // A cache row as floats: float32 rows are used in place, float16 rows widened into `scratch`.
  template <class C>
  static const float* cache_row(const C* src, float* scratch, int64_t n) {
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
