#pragma once
// The contract of com.onnxgen PagedAttention (see ops/cpu/paged_attention.cc), parsed and checked
// the same way by the CPU and CUDA kernels. The index inputs are read on the host: every block a
// sequence reaches and every slot written must lie inside the pool.
#include <cstdint>

#include "runtime/exec/kernel.h"

namespace onnxgen {

struct PagedAttentionAttrs {
  int64_t num_heads = 0, num_kv_heads = 0, window = 0;
  float scale = 0, softcap = 0;

  explicit PagedAttentionAttrs(const KernelInit& init) {
    const auto& a = init.attrs();
    num_heads = a.get_int("num_heads");
    num_kv_heads = a.get_int("num_kv_heads", num_heads);
    scale = a.get_float("scale", 0.0f);
    softcap = a.get_float("softcap", 0.0f);
    window = a.get_int("sliding_window", 0);
    ONNXGEN_CHECK(num_heads > 0 && num_kv_heads > 0 && num_heads % num_kv_heads == 0, "num_heads (", num_heads,
                  ") must be a positive multiple of num_kv_heads (", num_kv_heads, ")");
    ONNXGEN_CHECK(softcap >= 0 && window >= 0, "softcap and sliding_window must be >= 0");
  }
};

struct PagedGeometry {
  int64_t tokens, heads, kv_heads, dim, block_size, num_blocks, seqs, max_blocks;
};

inline PagedGeometry check_paged_inputs(const KernelContext& ctx, const PagedAttentionAttrs& attrs) {
  const Tensor &q = ctx.required(0), &k = ctx.required(1), &v = ctx.required(2);
  const Tensor &kc = ctx.required(3), &vc = ctx.required(4);
  const Tensor &slots = ctx.required(5), &tables = ctx.required(6), &lens = ctx.required(7), &loc = ctx.required(8);
  PagedGeometry g{};
  ONNXGEN_CHECK(kc.rank() == 4 && kc.shape() == vc.shape() && kc.dtype() == vc.dtype(), "key_cache ", kc.describe(),
                " and value_cache ", vc.describe(), " must both be [num_blocks, kv_heads, block_size, head_size]");
  g.num_blocks = kc.dim(0);
  g.kv_heads = kc.dim(1);
  g.block_size = kc.dim(2);
  g.dim = kc.dim(3);
  g.heads = attrs.num_heads;
  ONNXGEN_CHECK(g.kv_heads == attrs.num_kv_heads, "cache has ", g.kv_heads, " KV heads, the op ", attrs.num_kv_heads);
  ONNXGEN_CHECK(g.dim > 0, "the cache's head size is 0");
  g.tokens = q.numel() / (g.heads * g.dim);
  ONNXGEN_CHECK(q.numel() == g.tokens * g.heads * g.dim && k.numel() == g.tokens * g.kv_heads * g.dim &&
                    v.numel() == k.numel() && k.dtype() == q.dtype() && v.dtype() == q.dtype(),
                "query ", q.describe(), ", key ", k.describe(), " and value ", v.describe(), " do not hold ", g.heads,
                " and ", g.kv_heads, " heads of ", g.dim, " per token");
  for (const Tensor* t : {&slots, &tables, &lens, &loc})
    ONNXGEN_CHECK(t->dtype() == DataType::kInt32,
                  "slot_mapping, block_tables, context_lens and query_start_loc must be int32, got ", t->describe());
  ONNXGEN_CHECK(slots.numel() == g.tokens, "slot_mapping has ", slots.numel(), " entries for ", g.tokens, " tokens");
  ONNXGEN_CHECK(tables.rank() == 2, "block_tables must be [sequences, max_blocks], got ", tables.describe());
  g.seqs = tables.dim(0);
  g.max_blocks = tables.dim(1);
  ONNXGEN_CHECK(lens.numel() == g.seqs && loc.numel() == g.seqs + 1, "context_lens ", lens.describe(),
                " and query_start_loc ", loc.describe(), " do not match ", g.seqs, " sequences");
  const int32_t* l = loc.data<int32_t>();
  const int32_t* cl = lens.data<int32_t>();
  const int32_t* bt = tables.data<int32_t>();
  ONNXGEN_CHECK(l[0] == 0 && l[g.seqs] == g.tokens, "query_start_loc must run from 0 to ", g.tokens);
  for (int64_t s = 0; s < g.seqs; ++s) {
    const int64_t q_len = l[s + 1] - l[s];
    ONNXGEN_CHECK(q_len >= 0 && cl[s] >= q_len && cl[s] <= g.max_blocks * g.block_size, "sequence ", s, " has ", q_len,
                  " new tokens but a context of ", cl[s], " (block table holds ", g.max_blocks * g.block_size, ")");
    for (int64_t b = 0; b < (cl[s] + g.block_size - 1) / g.block_size; ++b)
      ONNXGEN_CHECK(bt[s * g.max_blocks + b] >= 0 && bt[s * g.max_blocks + b] < g.num_blocks, "sequence ", s, " block ",
                    b, " is ", bt[s * g.max_blocks + b], ", outside the pool of ", g.num_blocks);
  }
  const int32_t* sl = slots.data<int32_t>();
  for (int64_t t = 0; t < g.tokens; ++t)
    ONNXGEN_CHECK(sl[t] >= -1 && sl[t] < g.num_blocks * g.block_size, "slot ", sl[t], " of token ", t,
                  " is outside the cache");
  return g;
}

}  // namespace onnxgen
