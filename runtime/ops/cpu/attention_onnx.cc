// ONNX Attention (opset 23; 24 adds nonpad_kv_seqlen; 25 adds left/right_window_size): 3-D
// [B, S, N*D] or 4-D [B, N, S, D] Q/K/V, grouped KV heads, boolean or additive mask, causal
// masking aligned to the end of the cache, softcap, past/present KV and the qk_matmul_output modes.
#include <algorithm>
#include <cmath>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/attention_core.h"
#include "runtime/ops/cpu/float_staging.h"

namespace onnxgen {
namespace {

class OnnxAttention : public OpKernel {
 public:
  explicit OnnxAttention(const KernelInit& init) {
    const auto& a = init.attrs();
    causal_ = a.get_int("is_causal", 0) != 0;
    q_num_heads_ = a.get_int("q_num_heads", 0);
    kv_num_heads_ = a.get_int("kv_num_heads", 0);
    const int64_t mode = a.get_int("qk_matmul_output_mode", 0);
    ONNXGEN_CHECK(mode >= 0 && mode <= 3, "Attention qk_matmul_output_mode must be 0..3, got ", mode);
    score_stage_ = static_cast<ScoreStage>(mode);
    scale_ = a.has("scale") ? a.get_float("scale", 0) : 0.0f;
    has_scale_ = a.has("scale");
    softcap_ = a.get_float("softcap", 0);
    ONNXGEN_CHECK(softcap_ >= 0, "Attention softcap must be >= 0, got ", softcap_);
    const int64_t precision = a.get_int("softmax_precision", 1);
    ONNXGEN_CHECK(precision == 1 || precision == 10 || precision == 11 || precision == 16,
                  "Attention softmax_precision must be 1, 10, 11 or 16, got ", precision);
    left_window_ = a.get_int("left_window_size", -1);
    right_window_ = a.get_int("right_window_size", -1);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& q_in = ctx.required(0);
    const Tensor& k_in = ctx.required(1);
    const Tensor& v_in = ctx.required(2);
    const Tensor* mask_in = ctx.input(3);
    const Tensor* past_k_in = ctx.input(4);
    const Tensor* past_v_in = ctx.input(5);
    const Tensor* nonpad_in = ctx.input(6);
    ONNXGEN_CHECK(is_float(q_in.dtype()), "Attention Q must be a float type, got ", q_in.describe());
    ONNXGEN_CHECK(k_in.dtype() == q_in.dtype() && v_in.dtype() == q_in.dtype(), "Attention Q, K and V must share a type");
    const size_t rank = q_in.rank();
    ONNXGEN_CHECK((rank == 3 || rank == 4) && k_in.rank() == rank && v_in.rank() == rank,
                  "Attention Q, K and V must all be 3-D or all 4-D");
    ONNXGEN_CHECK(!past_k_in == !past_v_in, "Attention past_key and past_value must be given together");
    ONNXGEN_CHECK(!(nonpad_in && past_k_in), "Attention nonpad_kv_seqlen cannot be combined with past_key");

    AttentionSpec s;
    s.batch = q_in.dim(0);
    if (rank == 3) {
      ONNXGEN_CHECK(q_num_heads_ > 0 && kv_num_heads_ > 0, "Attention with 3-D inputs needs q_num_heads and kv_num_heads");
      ONNXGEN_CHECK(q_in.dim(2) % q_num_heads_ == 0 && k_in.dim(2) % kv_num_heads_ == 0 && v_in.dim(2) % kv_num_heads_ == 0,
                    "Attention hidden sizes must divide by the head counts");
      s.q_heads = q_num_heads_;
      s.kv_heads = kv_num_heads_;
      s.q_len = q_in.dim(1);
      s.kv_len = k_in.dim(1);
      s.head_size = q_in.dim(2) / q_num_heads_;
      ONNXGEN_CHECK(k_in.dim(2) / kv_num_heads_ == s.head_size, "Attention Q and K head sizes differ");
      s.v_head_size = v_in.dim(2) / kv_num_heads_;
      ONNXGEN_CHECK(v_in.dim(1) == s.kv_len, "Attention K and V sequence lengths differ");
    } else {
      s.q_heads = q_in.dim(1);
      s.kv_heads = k_in.dim(1);
      s.q_len = q_in.dim(2);
      s.kv_len = k_in.dim(2);
      s.head_size = q_in.dim(3);
      s.v_head_size = v_in.dim(3);
      ONNXGEN_CHECK(k_in.dim(3) == s.head_size, "Attention Q and K head sizes differ");
      ONNXGEN_CHECK(v_in.dim(1) == s.kv_heads && v_in.dim(2) == s.kv_len, "Attention K and V shapes differ");
    }
    ONNXGEN_CHECK(k_in.dim(0) == s.batch && v_in.dim(0) == s.batch, "Attention Q, K and V batch sizes differ");
    ONNXGEN_CHECK(s.q_heads > 0 && s.kv_heads > 0 && s.q_heads % s.kv_heads == 0, "Attention q_num_heads ", s.q_heads,
                  " is not a multiple of kv_num_heads ", s.kv_heads);
    ONNXGEN_CHECK(s.head_size > 0 && s.v_head_size > 0, "Attention head sizes must be positive");

    const Tensor q = to_float32(q_in), k = to_float32(k_in), v = to_float32(v_in);
    const HeadsView qv = view(q, s.q_heads, s.q_len, s.head_size);
    HeadsView kv = view(k, s.kv_heads, s.kv_len, s.head_size);
    HeadsView vv = view(v, s.kv_heads, s.kv_len, s.v_head_size);

    // The cache: past rows, then the new ones, as [B, N, T, D].
    if (past_k_in)
      ONNXGEN_CHECK(past_k_in->rank() == 4 && past_v_in->rank() == 4 && past_k_in->dim(2) == past_v_in->dim(2),
                    "Attention past_key and past_value must be 4-D with one past length, got ", past_k_in->describe(),
                    " and ", past_v_in->describe());
    const int64_t past = past_k_in ? past_k_in->dim(2) : 0;
    const int64_t total = past + s.kv_len;
    Tensor present_k, present_v;
    if (past_k_in || ctx.output_wanted(1) || ctx.output_wanted(2)) {
      for (const Tensor* t : {past_k_in, past_v_in})
        ONNXGEN_CHECK(!t || t->dtype() == q_in.dtype(), "Attention past_key/past_value must have Q's type");
      present_k = append_to_cache(past_k_in, kv, s.batch, s.kv_heads, s.kv_len, s.head_size, "Attention past_key");
      present_v = append_to_cache(past_v_in, vv, s.batch, s.kv_heads, s.kv_len, s.v_head_size, "Attention past_value");
      kv = HeadsView::bnsh(present_k.data<float>(), s.kv_heads, total, s.head_size);
      vv = HeadsView::bnsh(present_v.data<float>(), s.kv_heads, total, s.v_head_size);
    }
    s.kv_len = total;

    s.scale = has_scale_ ? scale_ : 1.0f / std::sqrt(static_cast<float>(s.head_size));
    s.softcap = softcap_;
    s.causal = causal_;
    s.left_window = left_window_;
    s.right_window = right_window_;
    if (nonpad_in) {
      ONNXGEN_CHECK(nonpad_in->rank() == 1 && nonpad_in->dim(0) == s.batch && !is_float(nonpad_in->dtype()),
                    "Attention nonpad_kv_seqlen must be an integer vector of batch size ", s.batch);
      for (int64_t b = 0; b < s.batch; ++b) {
        const int64_t n = nonpad_in->to_int64(b);
        s.key_lengths.push_back(std::clamp<int64_t>(n, 0, total));
        s.offsets.push_back(n - s.q_len);
      }
    } else if (past) {
      s.offsets.assign(static_cast<size_t>(s.batch), past);
    }

    Tensor mask;
    if (mask_in) {
      if (mask_in->dtype() == DataType::kBool) {
        mask = *mask_in;
      } else {
        ONNXGEN_CHECK(mask_in->dtype() == q_in.dtype(), "Attention attn_mask must be bool or Q's type, got ",
                      mask_in->describe());
        mask = to_float32(*mask_in);
      }
      AttentionMask m = broadcast_mask(mask.shape(), s.batch, s.q_heads, s.q_len, "Attention attn_mask");
      ONNXGEN_CHECK(m.width <= total, "Attention attn_mask has ", m.width, " keys, more than the ", total, " in the cache");
      if (mask.dtype() == DataType::kBool) m.keep = mask.data<bool>();
      else m.additive = mask.data<float>();
      s.masks.push_back(m);
    }

    const Shape y_shape = rank == 3 ? Shape{s.batch, s.q_len, s.q_heads * s.v_head_size}
                                    : Shape{s.batch, s.q_heads, s.q_len, s.v_head_size};
    Tensor& y_out = ctx.allocate(0, q_in.dtype(), y_shape);
    const Tensor y = float_workspace(y_out);
    Tensor scores;
    if (ctx.output_wanted(3)) {
      scores = Tensor::zeros(DataType::kFloat, {s.batch, s.q_heads, s.q_len, total});
      s.scores = scores.data<float>();
      s.score_stage = score_stage_;
    }
    scaled_dot_product_attention(ctx.pool(), s, qv, kv, vv, view(y, s.q_heads, s.q_len, s.v_head_size));

    finish_float_output(y, y_out);
    set_float_output(ctx, 1, present_k, q_in.dtype());
    set_float_output(ctx, 2, present_v, q_in.dtype());
    if (scores.defined()) set_float_output(ctx, 3, scores, q_in.dtype());
  }

 private:
  static HeadsView view(const Tensor& t, int64_t heads, int64_t seq, int64_t dim) {
    float* data = t.data<float>();
    return t.rank() == 3 ? HeadsView::bsnh(data, heads, seq, dim) : HeadsView::bnsh(data, heads, seq, dim);
  }

  bool causal_ = false;
  int64_t q_num_heads_ = 0, kv_num_heads_ = 0;
  ScoreStage score_stage_ = ScoreStage::kRaw;
  float scale_ = 0;
  bool has_scale_ = false;
  float softcap_ = 0;
  int64_t left_window_ = -1, right_window_ = -1;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Attention", 23, ONNXGEN_LATEST, OnnxAttention);

}  // namespace onnxgen
