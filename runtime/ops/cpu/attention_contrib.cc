// com.microsoft Attention, the GPT-2/BERT-era fused attention of onnxruntime.transformers
// exports: QKV = input [B, S, Din] * weights [Din, Dq + Dk + Dv] + bias, split into heads;
// the cache is packed as past [2, B, N, P, H] (keys, then values) and comes back as present
// [2, B, N, P + S, H], or with past_present_share_buffer as one [2, B, N, max, H] buffer whose
// first past_sequence_length rows are valid. unidirectional makes it causal from position P;
// mask_index (ORT's integer key masks) and attention_bias mask the scores.
#include <cmath>
#include <vector>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/attention_core.h"
#include "runtime/ops/cpu/batched_gemm.h"
#include "runtime/ops/cpu/contrib_attention_mask.h"
#include "runtime/ops/cpu/float_staging.h"

namespace onnxgen {
namespace {

class ContribAttention : public OpKernel {
 public:
  explicit ContribAttention(const KernelInit& init) {
    const auto& a = init.attrs();
    heads_ = a.get_int("num_heads");
    ONNXGEN_CHECK(heads_ > 0, "Attention num_heads must be positive, got ", heads_);
    causal_ = a.get_int("unidirectional", 0) != 0;
    scale_ = a.get_float("scale", 0);
    share_buffer_ = a.get_int("past_present_share_buffer", 0) != 0;
    hidden_sizes_ = a.get_ints("qkv_hidden_sizes");
    ONNXGEN_CHECK(hidden_sizes_.empty() || hidden_sizes_.size() == 3, "Attention qkv_hidden_sizes must have 3 values");
    ONNXGEN_CHECK(a.get_int("do_rotary", 0) == 0, "Attention do_rotary is not supported; use RotaryEmbedding");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& input = ctx.required(0);
    const Tensor& weights = ctx.required(1);
    const Tensor* bias_in = ctx.input(2);
    const Tensor* past = ctx.input(4);
    ONNXGEN_CHECK(is_float(input.dtype()) && input.rank() == 3, "Attention input must be a float [B, S, D], got ",
                  input.describe());
    ONNXGEN_CHECK(weights.dtype() == input.dtype() && weights.rank() == 2 && weights.dim(0) == input.dim(2),
                  "Attention weights must be [", input.dim(2), ", Dq + Dk + Dv], got ", weights.describe());
    const int64_t batch = input.dim(0), seq = input.dim(1), din = input.dim(2), width = weights.dim(1);
    const int64_t dq = hidden_sizes_.empty() ? width / 3 : hidden_sizes_[0];
    const int64_t dk = hidden_sizes_.empty() ? width / 3 : hidden_sizes_[1];
    const int64_t dv = hidden_sizes_.empty() ? width / 3 : hidden_sizes_[2];
    const int64_t n = heads_;
    ONNXGEN_CHECK(dq + dk + dv == width && dq == dk && dq % n == 0 && dv % n == 0 && dq > 0 && dv > 0,
                  "Attention weights width ", width, " does not split into Q, K, V of ", n, " heads");
    const int64_t head = dq / n, v_head = dv / n;

    // QKV projection in float32.
    const Tensor x = to_float32(input), w = to_float32(weights);
    Tensor qkv = Tensor::empty(DataType::kFloat, {batch, seq, width});
    GemmProblem p;
    p.m = batch * seq;
    p.n = width;
    p.k = din;
    batched_gemm(p, x.data<float>(), w.data<float>(), qkv.data<float>());
    if (bias_in) {
      ONNXGEN_CHECK(bias_in->numel() == width && bias_in->dtype() == input.dtype(), "Attention bias must hold ", width,
                    " values, got ", bias_in->describe());
      const Tensor bias = to_float32(*bias_in);
      float* d = qkv.data<float>();
      for (int64_t r = 0; r < batch * seq; ++r)
        for (int64_t j = 0; j < width; ++j) d[r * width + j] += bias.data<float>()[j];
    }
    const HeadsView qv = HeadsView::bsnh(qkv.data<float>(), n, seq, head, width);
    HeadsView new_k = qv, new_v = HeadsView::bsnh(qkv.data<float>() + dq + dk, n, seq, v_head, width);
    new_k.data += dq;

    // The packed cache: [2, B, N, P, H] in, keys and values appended.
    int64_t past_len = 0, capacity = 0;
    Tensor past_f;
    if (past) {
      ONNXGEN_CHECK(head == v_head && past->dtype() == input.dtype() && past->rank() == 5 && past->dim(0) == 2 &&
                        past->dim(1) == batch && past->dim(2) == n && past->dim(4) == head,
                    "Attention past must be [2, ", batch, ", ", n, ", P, ", head, "], got ", past->describe());
      capacity = past->dim(3);
      past_len = capacity;
      if (share_buffer_) {
        const Tensor* len = ctx.input(6);
        ONNXGEN_CHECK(len && len->numel() == 1, "Attention past_present_share_buffer needs past_sequence_length");
        past_len = len->to_int64(0);
        ONNXGEN_CHECK(past_len >= 0 && past_len + seq <= capacity, "Attention past_sequence_length ", past_len, " + ",
                      seq, " exceeds the shared buffer of ", capacity);
      }
      past_f = to_float32(*past);
    }
    const int64_t total = past_len + seq;
    const int64_t present_len = share_buffer_ && past ? capacity : total;
    Tensor present = Tensor::zeros(DataType::kFloat, {2, batch, n, present_len, head});
    const int64_t half = batch * n * present_len * head;
    const HeadsView kv = HeadsView::bnsh(present.data<float>(), n, present_len, head);
    const HeadsView vv = HeadsView::bnsh(present.data<float>() + half, n, present_len, head);
    if (past) {
      const int64_t past_half = batch * n * capacity * head;
      // A shared buffer keeps its rows beyond the valid ones, as the in-place update would.
      const int64_t rows = share_buffer_ ? capacity : past_len;
      copy_heads(HeadsView::bnsh(past_f.data<float>(), n, capacity, head), kv, batch, n, rows, head);
      copy_heads(HeadsView::bnsh(past_f.data<float>() + past_half, n, capacity, head), vv, batch, n, rows, head);
    }
    HeadsView k_tail = kv, v_tail = vv;
    k_tail.data = kv.row(0, 0, past_len);
    v_tail.data = vv.row(0, 0, past_len);
    copy_heads(new_k, k_tail, batch, n, seq, head);
    copy_heads(new_v, v_tail, batch, n, seq, v_head);

    AttentionSpec s;
    s.batch = batch;
    s.q_heads = s.kv_heads = n;
    s.q_len = seq;
    s.kv_len = total;
    s.head_size = head;
    s.v_head_size = v_head;
    s.scale = scale_ != 0 ? scale_ : 1.0f / std::sqrt(static_cast<float>(head));
    s.causal = causal_;
    s.offsets.assign(static_cast<size_t>(batch), past_len);
    const ContribMasks masks = add_contrib_masks(s, ctx.input(3), "Attention mask_index", ctx.input(5), "Attention");

    Tensor& y_out = ctx.allocate(0, input.dtype(), {batch, seq, dv});
    const Tensor y = float_workspace(y_out);
    scaled_dot_product_attention(ctx.pool(), s, qv, kv, vv, HeadsView::bsnh(y.data<float>(), n, seq, v_head));
    finish_float_output(y, y_out);
    set_float_output(ctx, 1, present, input.dtype());
  }

 private:
  int64_t heads_ = 0;
  bool causal_ = false, share_buffer_ = false;
  float scale_ = 0;
  std::vector<int64_t> hidden_sizes_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.microsoft", "Attention", 1, ONNXGEN_LATEST, ContribAttention);

}  // namespace onnxgen
