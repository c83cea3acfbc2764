// com.microsoft GroupQueryAttention on CUDA, with the CPU kernel's contract (see
// ops/cpu/group_query_attention.cc for the cache layouts and sliding_window_cache): the per-batch
// bookkeeping runs here on the host from seqlens_k and total_sequence_length (host inputs), the
// cache assembly, rotation, attention and present on the device. attention_bias, head_sink and
// qk_output are refused at planning, so such nodes run on the CPU.
#include <algorithm>
#include <cmath>

#include "runtime/core/device_backend.h"
#include "runtime/ops/cuda/cuda_kernel.h"
#include "runtime/ops/group_query_attention_inputs.h"

namespace onnxgen {
namespace {

constexpr int64_t kMaxHead = 256;

class GroupQueryAttention : public OpKernel, private GqaAttrs {
 public:
  explicit GroupQueryAttention(const KernelInit& init) : GqaAttrs(init) {
    const auto& a = init.attrs();
    const auto& in = init.node.inputs;
    for (size_t i : {size_t{10}, size_t{11}})
      ONNXGEN_CHECK(i >= in.size() || in[i].empty(), "GroupQueryAttention input ", i, " is not supported on cuda");
    ONNXGEN_CHECK(a.get_int("qk_output", 0) == 0, "GroupQueryAttention qk_output is not supported on cuda");
  }

  bool host_input(size_t i) const override { return i == 5 || i == 6; }

  void compute(KernelContext& ctx) override {
    const Tensor& query = ctx.required(0);
    const Tensor* key = ctx.input(1);
    const Tensor* value = ctx.input(2);
    const Tensor* past_k = ctx.input(3);
    const Tensor* past_v = ctx.input(4);
    const Tensor& seqlens = ctx.required(5);
    const Tensor& total_len_in = ctx.required(6);
    const cuda::ElemType type = cuda_float_type(query, "GroupQueryAttention");
    const int64_t n = num_heads_, kvn = kv_num_heads_;
    const GqaInputs in = check_gqa_inputs(query, key, value, past_k, past_v, seqlens, total_len_in, n, kvn,
                                          sliding_cache_, local_window_);
    const int64_t batch = in.batch, seq = in.seq, head = in.head, total_len = in.total_len, past_cap = in.past_cap;
    const bool packed = in.packed, first_prompt = in.first_prompt;
    const DataType cache_type = in.cache_type;
    ONNXGEN_CHECK(head <= kMaxHead, "GroupQueryAttention head size ", head, " exceeds ", kMaxHead, " on cuda");

    // Five blocks of `batch` (see cuda::GqaArgs::per_batch): start, position, valid, first, count.
    Tensor per_batch = Tensor::empty(DataType::kInt64, {5 * batch}, cpu_allocator());
    int64_t* pb = per_batch.data<int64_t>();
    int64_t work_len = sliding_cache_ ? 0 : std::max(total_len, past_cap);
    int64_t max_position = 0;
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t len = seqlens.to_int64(b) + 1;
      const int64_t position = first_prompt ? 0 : len - seq;
      const int64_t start = sliding_cache_ ? window_fill(position, past_cap) : position;
      ONNXGEN_CHECK(len >= 1 && position >= 0 && start <= past_cap &&
                        (sliding_cache_ ? len - position <= seq : len <= work_len && start + seq <= work_len),
                    "GroupQueryAttention seqlens_k[", b, "] = ", len - 1, " is inconsistent with sequence length ", seq,
                    ", past length ", past_cap, " and total_sequence_length ", total_len);
      pb[b] = start;
      pb[batch + b] = position;
      pb[2 * batch + b] = start + len - position;
      if (sliding_cache_) work_len = std::max(work_len, start + seq);
      max_position = std::max(max_position, position + seq);
    }
    const int64_t present_rows = sliding_cache_ ? past_cap : work_len;
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t valid = pb[2 * batch + b];
      // The sliding buffer keeps the rows it holds after this step (the CPU kernel's keep_window).
      const int64_t kept = sliding_cache_ ? window_fill(pb[batch + b] + valid - pb[b], past_cap) : work_len;
      pb[3 * batch + b] = sliding_cache_ ? valid - kept : 0;
      pb[4 * batch + b] = kept;
    }

    const Device device = ctx.allocator().device();
    const Tensor per_batch_dev = copy_to_device(per_batch, device);
    cuda::GqaArgs g;
    g.batch = batch;
    g.seq = seq;
    g.heads = n;
    g.kv_heads = kvn;
    g.head = head;
    g.rows = work_len;
    g.scale = scale_ != 0 ? scale_ : 1.0f / std::sqrt(static_cast<float>(head));
    g.softcap = softcap_;
    g.left_window = local_window_ > 0 ? local_window_ - 1 : -1;
    g.smooth_softmax = smooth_softmax_;
    g.per_batch = per_batch_dev.data<int64_t>();
    if (do_rotary_) set_rotary(ctx, g, query, batch, seq, head, max_position);

    const int64_t qkv_width = packed ? query.dim(2) : n * head;
    const int64_t kv_width = packed ? qkv_width : kvn * head;
    const cudaStream_t stream = stream_of(ctx);
    Tensor q = Tensor::empty(DataType::kFloat, {batch, seq, n, head}, ctx.allocator());
    Tensor work_k = Tensor::empty(DataType::kFloat, {batch, kvn, work_len, head}, ctx.allocator());
    Tensor work_v = Tensor::empty(DataType::kFloat, {batch, kvn, work_len, head}, ctx.allocator());
    const cuda::ElemType ct = cuda_float_type(past_k ? *past_k : query, "GroupQueryAttention cache");
    cuda::gqa_prepare_q(g, query.raw(), type, qkv_width, do_rotary_, q.data<float>(), stream);
    cuda::gqa_build_cache(g, past_k ? past_k->raw() : nullptr, ct, past_cap, packed ? query.raw() : key->raw(), type,
                          kv_width, packed ? n * head : 0, do_rotary_, work_k.data<float>(), stream);
    cuda::gqa_build_cache(g, past_v ? past_v->raw() : nullptr, ct, past_cap, packed ? query.raw() : value->raw(), type,
                          kv_width, packed ? (n + kvn) * head : 0, false, work_v.data<float>(), stream);
    Tensor& y = ctx.allocate(0, query.dtype(), {batch, seq, n * head});
    cuda::gqa_attention(g, q.data<float>(), work_k.data<float>(), work_v.data<float>(), y.raw(), type, stream);
    for (size_t i : {size_t{1}, size_t{2}}) {
      if (!ctx.output_wanted(i)) continue;
      Tensor& present = ctx.allocate(i, cache_type, {batch, kvn, present_rows, head});
      cuda::gqa_write_present(g, (i == 1 ? work_k : work_v).data<float>(), present.raw(), ct, present_rows, stream);
    }
  }

 private:
  void set_rotary(KernelContext& ctx, cuda::GqaArgs& g, const Tensor& query, int64_t batch, int64_t seq, int64_t head,
                  int64_t max_position) const {
    const Tensor* cos = ctx.input(7);
    const Tensor* sin = ctx.input(8);
    ONNXGEN_CHECK(cos && sin, "GroupQueryAttention do_rotary needs cos_cache and sin_cache");
    ONNXGEN_CHECK(cos->rank() == 2 && cos->shape() == sin->shape() && cos->dtype() == query.dtype() &&
                      sin->dtype() == query.dtype(),
                  "GroupQueryAttention cos_cache/sin_cache must be [max_position, rotary_dim / 2] of the query's type, got ",
                  cos->describe(), " and ", sin->describe());
    g.rot_half = cos->dim(1);
    ONNXGEN_CHECK(g.rot_half > 0 && 2 * g.rot_half <= head, "GroupQueryAttention rotary dim ", 2 * g.rot_half,
                  " exceeds the head size ", head);
    g.max_position = cos->dim(0);
    g.cos = cos->raw();
    g.sin = sin->raw();
    g.interleaved = interleaved_;
    if (const Tensor* ids = ctx.input(9)) {
      ONNXGEN_CHECK(ids->numel() == batch * seq && ids->dtype() == DataType::kInt64,
                    "GroupQueryAttention position_ids must be int64 [", batch, ", ", seq, "], got ", ids->describe());
      g.position_ids = ids->data<int64_t>();
    } else {
      ONNXGEN_CHECK(max_position <= g.max_position, "GroupQueryAttention position ", max_position - 1,
                    " outside the rotary cache of ", g.max_position, " rows");
    }
  }

};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("com.microsoft", "GroupQueryAttention", 1, ONNXGEN_LATEST, GroupQueryAttention);

}  // namespace onnxgen
