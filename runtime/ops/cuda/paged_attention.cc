// com.onnxgen PagedAttention on CUDA, with the CPU kernel's contract (ops/cpu/paged_attention.cc).
// The index inputs (slot_mapping, block_tables, context_lens, query_start_loc) are read on the
// host, checked so no kernel reads or writes outside the pool, and uploaded in one copy. The
// caches are written in place, so they must be fed as device tensors (the block pool in device
// memory): a host cache would be copied to the GPU and the writes lost with the copy.
#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/core/device_backend.h"
#include "runtime/ops/cuda/cuda_kernel.h"

namespace onnxgen {
namespace {

constexpr int64_t kMaxHead = 256;

class PagedAttention : public OpKernel {
 public:
  explicit PagedAttention(const KernelInit& init) {
    const auto& a = init.attrs();
    num_heads_ = a.get_int("num_heads");
    num_kv_heads_ = a.get_int("num_kv_heads", num_heads_);
    scale_ = a.get_float("scale", 0.0f);
    softcap_ = a.get_float("softcap", 0.0f);
    window_ = a.get_int("sliding_window", 0);
    ONNXGEN_CHECK(num_heads_ > 0 && num_kv_heads_ > 0 && num_heads_ % num_kv_heads_ == 0, "num_heads (", num_heads_,
                  ") must be a positive multiple of num_kv_heads (", num_kv_heads_, ")");
    ONNXGEN_CHECK(softcap_ >= 0 && window_ >= 0, "softcap and sliding_window must be >= 0");
  }

  bool host_input(size_t i) const override { return i >= 5 && i <= 8; }

  void compute(KernelContext& ctx) override {
    const Tensor &q = ctx.required(0), &k = ctx.required(1), &v = ctx.required(2);
    const Tensor &kc = ctx.required(3), &vc = ctx.required(4);
    const Tensor &slots = ctx.required(5), &tables = ctx.required(6), &lens = ctx.required(7), &loc = ctx.required(8);
    const cuda::ElemType type = cuda_float_type(q, "PagedAttention query");
    const cuda::ElemType cache_type = cuda_float_type(kc, "PagedAttention cache");
    ONNXGEN_CHECK(kc.rank() == 4 && kc.shape() == vc.shape() && kc.dtype() == vc.dtype(), "key_cache ", kc.describe(),
                  " and value_cache ", vc.describe(), " must both be [num_blocks, kv_heads, block_size, head_size]");
    cuda::PagedArgs p;
    const int64_t num_blocks = kc.dim(0);
    p.kv_heads = kc.dim(1);
    p.block_size = kc.dim(2);
    p.dim = kc.dim(3);
    p.heads = num_heads_;
    ONNXGEN_CHECK(p.kv_heads == num_kv_heads_, "cache has ", p.kv_heads, " KV heads, the op ", num_kv_heads_);
    ONNXGEN_CHECK(p.dim > 0 && p.dim <= kMaxHead, "PagedAttention head size ", p.dim, " must be 1 to ", kMaxHead, " on cuda");
    p.tokens = q.numel() / (p.heads * p.dim);
    ONNXGEN_CHECK(q.numel() == p.tokens * p.heads * p.dim && k.numel() == p.tokens * p.kv_heads * p.dim &&
                      v.numel() == k.numel() && k.dtype() == q.dtype() && v.dtype() == q.dtype(),
                  "query ", q.describe(), ", key ", k.describe(), " and value ", v.describe(), " do not hold ", p.heads,
                  " and ", p.kv_heads, " heads of ", p.dim, " per token");
    for (const Tensor* t : {&slots, &tables, &lens, &loc})
      ONNXGEN_CHECK(t->dtype() == DataType::kInt32, "PagedAttention index inputs must be int32, got ", t->describe());
    ONNXGEN_CHECK(tables.rank() == 2, "block_tables must be [sequences, max_blocks], got ", tables.describe());
    const int64_t seqs = tables.dim(0);
    p.max_blocks = tables.dim(1);
    ONNXGEN_CHECK(slots.numel() == p.tokens && lens.numel() == seqs && loc.numel() == seqs + 1, "slot_mapping ",
                  slots.describe(), ", context_lens ", lens.describe(), " and query_start_loc ", loc.describe(),
                  " do not match ", p.tokens, " tokens of ", seqs, " sequences");

    // One upload: slots, tables, lens, loc, then the sequence of each token.
    Tensor index = Tensor::empty(DataType::kInt32, {slots.numel() + tables.numel() + lens.numel() + loc.numel() + p.tokens},
                                 cpu_allocator());
    int32_t* out = index.data<int32_t>();
    for (const Tensor* t : {&slots, &tables, &lens, &loc}) out = std::copy_n(t->data<int32_t>(), t->numel(), out);
    const int32_t* l = loc.data<int32_t>();
    const int32_t* cl = lens.data<int32_t>();
    const int32_t* bt = tables.data<int32_t>();
    ONNXGEN_CHECK(l[0] == 0 && l[seqs] == p.tokens, "query_start_loc must run from 0 to ", p.tokens);
    for (int64_t s = 0; s < seqs; ++s) {
      const int64_t q_len = l[s + 1] - l[s];
      ONNXGEN_CHECK(q_len >= 0 && cl[s] >= q_len && cl[s] <= p.max_blocks * p.block_size, "sequence ", s, " has ", q_len,
                    " new tokens but a context of ", cl[s], " (its block table holds ", p.max_blocks * p.block_size, ")");
      for (int64_t b = 0; b < (cl[s] + p.block_size - 1) / p.block_size; ++b)
        ONNXGEN_CHECK(bt[s * p.max_blocks + b] >= 0 && bt[s * p.max_blocks + b] < num_blocks, "sequence ", s, " block ",
                      b, " is ", bt[s * p.max_blocks + b], ", outside the pool of ", num_blocks);
      out = std::fill_n(out, q_len, static_cast<int32_t>(s));
    }
    for (int64_t t = 0; t < p.tokens; ++t)
      ONNXGEN_CHECK(slots.data<int32_t>()[t] >= -1 && slots.data<int32_t>()[t] < num_blocks * p.block_size, "slot ",
                    slots.data<int32_t>()[t], " of token ", t, " is outside the cache");
    const Tensor index_dev = copy_to_device(index, ctx.allocator().device());
    const int32_t* base = index_dev.data<int32_t>();
    p.slots = base;
    p.tables = p.slots + slots.numel();
    p.lens = p.tables + tables.numel();
    p.loc = p.lens + lens.numel();
    p.seq_of = p.loc + loc.numel();
    p.scale = scale_ > 0 ? scale_ : 1.0f / std::sqrt(static_cast<float>(p.dim));
    p.softcap = softcap_;
    p.window = window_;

    const cudaStream_t stream = stream_of(ctx);
    cuda::paged_write_cache(p, k.raw(), v.raw(), type, kc.raw(), vc.raw(), cache_type, stream);
    Tensor& y = ctx.allocate(0, q.dtype(), q.shape());
    cuda::paged_attention(p, q.raw(), type, kc.raw(), vc.raw(), cache_type, y.raw(), stream);
  }

 private:
  int64_t num_heads_, num_kv_heads_, window_;
  float scale_, softcap_;
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("com.onnxgen", "PagedAttention", 1, ONNXGEN_LATEST, PagedAttention);

}  // namespace onnxgen
