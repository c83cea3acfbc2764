// com.microsoft MultiHeadAttention: Q [B, S, N*H] with K/V as [B, L, N*H] (self attention,
// optionally appended to past_key/past_value [B, N, P, H]), as [B, N, L, H] (a cross-attention
// cache, used as is), packed QKV [B, S, N, 3, H] or packed KV [B, L, N, 2, H]. Optional bias
// [Q | K | V widths] is added to 3-D projections; key_padding_mask, attention_bias and
// unidirectional (causal from position P) mask the scores.
#include <cmath>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/attention_core.h"
#include "runtime/ops/cpu/contrib_attention_mask.h"
#include "runtime/ops/cpu/float_staging.h"

namespace onnxgen {
namespace {

class MultiHeadAttention : public OpKernel {
 public:
  explicit MultiHeadAttention(const KernelInit& init) {
    heads_ = init.attrs().get_int("num_heads");
    ONNXGEN_CHECK(heads_ > 0, "MultiHeadAttention num_heads must be positive, got ", heads_);
    scale_ = init.attrs().get_float("scale", 0);
    causal_ = init.attrs().get_int("unidirectional", 0) != 0;
  }

  void compute(KernelContext& ctx) override {
    const Tensor& query = ctx.required(0);
    const Tensor* key = ctx.input(1);
    const Tensor* value = ctx.input(2);
    const Tensor* bias_in = ctx.input(3);
    const Tensor* past_k = ctx.input(6);
    const Tensor* past_v = ctx.input(7);
    ONNXGEN_CHECK(is_float(query.dtype()), "MultiHeadAttention query must be a float tensor, got ", query.describe());
    ONNXGEN_CHECK(!past_k == !past_v, "MultiHeadAttention past_key and past_value must be given together");
    const int64_t n = heads_, batch = query.dim(0), seq = query.dim(1);
    int64_t head = 0, v_head = 0, kv_len = 0;
    // Float32 storage and views of the new Q, K and V rows.
    Tensor q, k, v;
    HeadsView qv, kv, vv;
    bool kv_is_cache = false;
    if (query.rank() == 5) {
      ONNXGEN_CHECK(!key && !value && query.dim(2) == n && query.dim(3) == 3, "MultiHeadAttention packed QKV must be [B, S, ",
                    n, ", 3, H] with no key or value, got ", query.describe());
      head = v_head = query.dim(4);
      kv_len = seq;
      q = k = v = to_float32(query);
      qv = HeadsView::bsnh(q.data<float>(), n, seq, head, 3 * n * head);
      qv.head_stride = 3 * head;
      kv = vv = qv;
      kv.data += head;
      vv.data += 2 * head;
    } else {
      ONNXGEN_CHECK(query.rank() == 3 && query.dim(2) % n == 0, "MultiHeadAttention query must be [B, S, ", n,
                    " * H], got ", query.describe());
      head = query.dim(2) / n;
      q = to_float32(query).clone();
      qv = HeadsView::bsnh(q.data<float>(), n, seq, head);
      ONNXGEN_CHECK(key != nullptr, "MultiHeadAttention needs key unless query packs Q, K and V");
      ONNXGEN_CHECK(key->dtype() == query.dtype() && key->dim(0) == batch, "MultiHeadAttention key ", key->describe(),
                    " does not match query ", query.describe());
      if (key->rank() == 5) {
        ONNXGEN_CHECK(!value && key->dim(2) == n && key->dim(3) == 2 && key->dim(4) == head,
                      "MultiHeadAttention packed KV must be [B, L, ", n, ", 2, ", head, "] with no value, got ",
                      key->describe());
        v_head = head;
        kv_len = key->dim(1);
        k = v = to_float32(*key);
        kv = HeadsView::bsnh(k.data<float>(), n, kv_len, head, 2 * n * head);
        kv.head_stride = 2 * head;
        vv = kv;
        vv.data += head;
      } else {
        ONNXGEN_CHECK(value && value->dtype() == query.dtype() && value->rank() == key->rank() && value->dim(0) == batch,
                      "MultiHeadAttention value must match key's rank and batch");
        if (key->rank() == 4) {
          ONNXGEN_CHECK(key->dim(1) == n && key->dim(3) == head && value->dim(1) == n && value->dim(2) == key->dim(2),
                        "MultiHeadAttention key/value caches must be [B, ", n, ", L, H], got ", key->describe(), " and ",
                        value->describe());
          kv_is_cache = true;
          kv_len = key->dim(2);
          v_head = value->dim(3);
          k = to_float32(*key);
          v = to_float32(*value);
          kv = HeadsView::bnsh(k.data<float>(), n, kv_len, head);
          vv = HeadsView::bnsh(v.data<float>(), n, kv_len, v_head);
        } else {
          ONNXGEN_CHECK(key->rank() == 3 && key->dim(2) == n * head && value->dim(1) == key->dim(1) && value->dim(2) % n == 0,
                        "MultiHeadAttention key/value must be [B, L, ", n * head, "] and [B, L, N * Hv], got ",
                        key->describe(), " and ", value->describe());
          kv_len = key->dim(1);
          v_head = value->dim(2) / n;
          k = to_float32(*key).clone();
          v = to_float32(*value).clone();
          kv = HeadsView::bsnh(k.data<float>(), n, kv_len, head);
          vv = HeadsView::bsnh(v.data<float>(), n, kv_len, v_head);
        }
      }
    }
    if (bias_in) add_bias(*bias_in, query.rank() == 3, key && key->rank() == 3, q, k, v, n * head, n * v_head);

    // Past rows then the new ones, [B, N, P + L, H], when a cache goes in or out.
    Tensor present_k, present_v;
    if (!kv_is_cache && (past_k || ctx.output_wanted(1) || ctx.output_wanted(2))) {
      for (const Tensor* t : {past_k, past_v})
        ONNXGEN_CHECK(!t || t->dtype() == query.dtype(), "MultiHeadAttention past_key/past_value must have the query's type");
      present_k = append_to_cache(past_k, kv, batch, n, kv_len, head, "MultiHeadAttention past_key");
      present_v = append_to_cache(past_v, vv, batch, n, kv_len, v_head, "MultiHeadAttention past_value");
      ONNXGEN_CHECK(present_k.dim(2) == present_v.dim(2), "MultiHeadAttention past_key and past_value lengths differ");
      kv = HeadsView::bnsh(present_k.data<float>(), n, present_k.dim(2), head);
      vv = HeadsView::bnsh(present_v.data<float>(), n, present_k.dim(2), v_head);
    } else if (kv_is_cache) {
      present_k = k;
      present_v = v;
    }
    const int64_t total = present_k.defined() ? present_k.dim(2) : kv_len;

    AttentionSpec s;
    s.batch = batch;
    s.q_heads = s.kv_heads = n;
    s.q_len = seq;
    s.kv_len = total;
    s.head_size = head;
    s.v_head_size = v_head;
    s.scale = scale_ != 0 ? scale_ : 1.0f / std::sqrt(static_cast<float>(head));
    s.causal = causal_;
    s.offsets.assign(static_cast<size_t>(batch), total - seq);
    const ContribMasks masks =
        add_contrib_masks(s, ctx.input(4), "MultiHeadAttention key_padding_mask", ctx.input(5), "MultiHeadAttention");

    Tensor& y_out = ctx.allocate(0, query.dtype(), {batch, seq, n * v_head});
    const Tensor y = float_workspace(y_out);
    scaled_dot_product_attention(ctx.pool(), s, qv, kv, vv, HeadsView::bsnh(y.data<float>(), n, seq, v_head));
    finish_float_output(y, y_out);
    if (present_k.defined()) {
      set_float_output(ctx, 1, present_k, query.dtype());
      set_float_output(ctx, 2, present_v, query.dtype());
    }
  }

 private:
  static void add_bias(const Tensor& bias_in, bool q_3d, bool kv_3d, Tensor& q, Tensor& k, Tensor& v, int64_t qk_width,
                       int64_t v_width) {
    ONNXGEN_CHECK(q_3d && bias_in.numel() == 2 * qk_width + v_width && is_float(bias_in.dtype()),
                  "MultiHeadAttention bias must hold ", 2 * qk_width + v_width, " floats for 3-D projections, got ",
                  bias_in.describe());
    const Tensor bias = to_float32(bias_in);
    const float* b = bias.data<float>();
    auto add = [](Tensor& t, const float* row, int64_t width) {
      float* d = t.data<float>();
      for (int64_t i = 0; i < t.numel(); ++i) d[i] += row[i % width];
    };
    add(q, b, qk_width);
    if (kv_3d) {
      add(k, b + qk_width, qk_width);
      add(v, b + 2 * qk_width, v_width);
    }
  }

  int64_t heads_ = 0;
  float scale_ = 0;
  bool causal_ = false;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.microsoft", "MultiHeadAttention", 1, ONNXGEN_LATEST, MultiHeadAttention);

}  // namespace onnxgen
