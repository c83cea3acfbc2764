// com.onnxgen PagedAttention on CUDA, with the CPU kernel's contract (ops/cpu/paged_attention.cc).
// The index inputs (slot_mapping, block_tables, context_lens, query_start_loc) are read on the
// host, checked so no kernel reads or writes outside the pool, and uploaded in one copy, which
// the following layers of the step reuse (every layer reads the same indices; an upload waits
// for the device to finish the work queued before it). The
// caches are written in place, so they must be fed as device tensors (the block pool in device
// memory): a host cache would be copied to the GPU and the writes lost with the copy.
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <vector>

#include "runtime/core/device_backend.h"
#include "runtime/ops/cuda/cuda_kernel.h"
#include "runtime/ops/paged_attention_inputs.h"

namespace onnxgen {
namespace {

// The device copy of the last index array uploaded, shared by every PagedAttention node: reused
// while the host array is the same, which holds across one step's layers.
class IndexUploads {
 public:
  Tensor device_copy(const std::vector<int32_t>& index, Device device) {
    std::lock_guard lock(mu_);
    Entry& e = last_[device.index];
    if (!e.device.defined() || e.host != index) {
      Tensor host = Tensor::empty(DataType::kInt32, {static_cast<int64_t>(index.size())}, cpu_allocator());
      std::copy(index.begin(), index.end(), host.data<int32_t>());
      e.device = copy_to_device(host, device);
      e.host = index;
    }
    return e.device;
  }

 private:
  struct Entry {
    std::vector<int32_t> host;
    Tensor device;
  };
  std::mutex mu_;
  std::map<int, Entry> last_;
};

IndexUploads& index_uploads() {
  // Leaked on purpose, like the device backends: its device buffer must not outlive them.
  static auto* uploads = new IndexUploads();
  return *uploads;
}

class PagedAttention : public OpKernel {
 public:
  explicit PagedAttention(const KernelInit& init) : attrs_(init) {}

  bool host_input(size_t i) const override { return i >= 5 && i <= 8; }

  void compute(KernelContext& ctx) override {
    const Tensor &q = ctx.required(0), &k = ctx.required(1), &v = ctx.required(2);
    const Tensor &kc = ctx.required(3), &vc = ctx.required(4);
    const Tensor &slots = ctx.required(5), &tables = ctx.required(6), &lens = ctx.required(7), &loc = ctx.required(8);
    const cuda::ElemType type = cuda_float_type(q, "PagedAttention query");
    const cuda::ElemType cache_type = cuda_float_type(kc, "PagedAttention cache");
    const PagedGeometry g = check_paged_inputs(ctx, attrs_);
    ONNXGEN_CHECK(g.dim <= cuda::kPagedMaxHeadSize, "PagedAttention head size ", g.dim, " must be at most ",
                  cuda::kPagedMaxHeadSize, " on cuda");
    cuda::PagedArgs p;
    p.kv_heads = g.kv_heads;
    p.block_size = g.block_size;
    p.dim = g.dim;
    p.heads = g.heads;
    p.tokens = g.tokens;
    p.max_blocks = g.max_blocks;
    const int64_t seqs = g.seqs;
    p.max_context = seqs > 0 ? *std::max_element(lens.data<int32_t>(), lens.data<int32_t>() + seqs) : 0;

    // One array: slots, tables, lens, loc, then the sequence of each token.
    std::vector<int32_t> index(static_cast<size_t>(slots.numel() + tables.numel() + lens.numel() + loc.numel() + p.tokens));
    int32_t* out = index.data();
    for (const Tensor* t : {&slots, &tables, &lens, &loc}) out = std::copy_n(t->data<int32_t>(), t->numel(), out);
    const int32_t* l = loc.data<int32_t>();
    for (int64_t s = 0; s < seqs; ++s) out = std::fill_n(out, l[s + 1] - l[s], static_cast<int32_t>(s));
    const Tensor index_dev = index_uploads().device_copy(index, ctx.allocator().device());
    const int32_t* base = index_dev.data<int32_t>();
    p.slots = base;
    p.tables = p.slots + slots.numel();
    p.lens = p.tables + tables.numel();
    p.loc = p.lens + lens.numel();
    p.seq_of = p.loc + loc.numel();
    p.scale = attrs_.scale > 0 ? attrs_.scale : 1.0f / std::sqrt(static_cast<float>(p.dim));
    p.softcap = attrs_.softcap;
    p.window = attrs_.window;

    const cudaStream_t stream = stream_of(ctx);
    cuda::paged_write_cache(p, k.raw(), v.raw(), type, kc.raw(), vc.raw(), cache_type, stream);
    Tensor& y = ctx.allocate(0, q.dtype(), q.shape());
    const int64_t partitions = cuda::paged_attention_partitions(p);
    Tensor partials;
    if (partitions > 1)
      partials = Tensor::empty(DataType::kFloat, {p.tokens * p.heads * partitions * (p.dim + 2)}, ctx.allocator());
    cuda::paged_attention(p, q.raw(), type, kc.raw(), vc.raw(), cache_type, y.raw(),
                          partials.defined() ? static_cast<float*>(partials.raw()) : nullptr, stream);
  }

 private:
  PagedAttentionAttrs attrs_;
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("com.onnxgen", "PagedAttention", 1, ONNXGEN_LATEST, PagedAttention);

}  // namespace onnxgen
