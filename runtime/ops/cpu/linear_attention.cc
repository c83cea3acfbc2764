// LinearAttention: the recurrent state S [B, H_kv, d_k, d_v] of linear attention models, updated
// token by token under one of four rules (linear, gated, delta, gated_delta), with each query
// head reading its KV head's state (GQA). Accumulates in float whatever the input type.
#include <cmath>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class LinearAttention : public OpKernel {
 public:
  explicit LinearAttention(const KernelInit& init) {
    const AttributeMap& a = init.attrs();
    q_heads_ = a.get_int("q_num_heads");
    kv_heads_ = a.get_int("kv_num_heads");
    ONNXGEN_CHECK(q_heads_ > 0 && kv_heads_ > 0 && q_heads_ % kv_heads_ == 0, "q_num_heads (", q_heads_,
                  ") must be a positive multiple of kv_num_heads (", kv_heads_, ")");
    scale_ = a.get_float("scale", 0);
    const std::string rule = a.get_string("update_rule", "gated_delta");
    ONNXGEN_CHECK(rule == "linear" || rule == "gated" || rule == "delta" || rule == "gated_delta",
                  "unsupported update_rule '", rule, "'");
    gated_ = rule == "gated" || rule == "gated_delta";
    delta_ = rule == "delta" || rule == "gated_delta";
  }

  void compute(KernelContext& ctx) override {
    const Tensor& q = ctx.required(0);
    const Tensor& k = ctx.required(1);
    const Tensor& v = ctx.required(2);
    const Tensor* past = ctx.input(3);
    const Tensor* decay = ctx.input(4);
    const Tensor* beta = ctx.input(5);
    for (const Tensor* t : {&q, &k, &v})
      ONNXGEN_CHECK(t->rank() == 3 && t->dim(0) == q.dim(0) && t->dim(1) == q.dim(1),
                    "query, key and value must be [B, T, heads * head_size] with the same B and T, got ",
                    t->describe());
    const int64_t batch = q.dim(0), steps = q.dim(1);
    ONNXGEN_CHECK(q.dim(2) % q_heads_ == 0 && k.dim(2) % kv_heads_ == 0 && v.dim(2) % kv_heads_ == 0,
                  "the last dims of query, key, value must divide into their heads");
    const int64_t dk = q.dim(2) / q_heads_, dv = v.dim(2) / kv_heads_;
    ONNXGEN_CHECK(k.dim(2) / kv_heads_ == dk, "key head size ", k.dim(2) / kv_heads_, " differs from query's ", dk);
    ONNXGEN_CHECK(gated_ == (decay != nullptr), gated_ ? "this update_rule needs decay" : "this update_rule takes no decay");
    ONNXGEN_CHECK(delta_ == (beta != nullptr), delta_ ? "this update_rule needs beta" : "this update_rule takes no beta");
    const Shape state_shape{batch, kv_heads_, dk, dv};
    ONNXGEN_CHECK(!past || past->shape() == state_shape, "past_state must be ", to_string(state_shape), ", got ",
                  past->describe());
    // decay: one log-decay per KV head or per key dim; beta: per KV head or one for all.
    const int64_t decay_width = decay ? decay->dim(decay->rank() - 1) : 0;
    ONNXGEN_CHECK(!decay || (decay->rank() == 3 && (decay_width == kv_heads_ || decay_width == kv_heads_ * dk)),
                  "decay must be [B, T, kv_num_heads] or [B, T, kv_num_heads * d_k], got ", decay->describe());
    const int64_t beta_width = beta ? beta->dim(beta->rank() - 1) : 0;
    ONNXGEN_CHECK(!beta || (beta->rank() == 3 && (beta_width == kv_heads_ || beta_width == 1)),
                  "beta must be [B, T, kv_num_heads] or [B, T, 1], got ", beta->describe());
    const DataType state_type = past ? past->dtype() : q.dtype();
    Tensor& y = ctx.allocate(0, q.dtype(), {batch, steps, q_heads_ * dv});
    Tensor present = ctx.output_wanted(1) ? ctx.allocate(1, state_type, state_shape)
                                          : Tensor::empty(state_type, state_shape);
    const std::vector<float> qf = floats(q), kf = floats(k), vf = floats(v);
    const std::vector<float> df = decay ? floats(*decay) : std::vector<float>{};
    const std::vector<float> bf = beta ? floats(*beta) : std::vector<float>{};
    std::vector<float> s = past ? floats(*past) : std::vector<float>(static_cast<size_t>(num_elements(state_shape)));
    std::vector<float> out(static_cast<size_t>(y.numel()));
    const float scale = scale_ != 0 ? scale_ : 1.0f / std::sqrt(static_cast<float>(dk));
    const int64_t group = q_heads_ / kv_heads_;
    ctx.pool().parallel_for(batch * kv_heads_, 1, [&](int64_t begin, int64_t end) {
      std::vector<float> delta(static_cast<size_t>(dv));
      for (int64_t bh = begin; bh < end; ++bh) {
        const int64_t b = bh / kv_heads_, h = bh % kv_heads_;
        float* st = s.data() + bh * dk * dv;
        for (int64_t t = 0; t < steps; ++t) {
          const int64_t row = b * steps + t;
          const float* kt = kf.data() + row * kv_heads_ * dk + h * dk;
          const float* vt = vf.data() + row * kv_heads_ * dv + h * dv;
          if (gated_)
            for (int64_t i = 0; i < dk; ++i) {
              const float g = std::exp(df[row * decay_width + (decay_width == kv_heads_ ? h : h * dk + i)]);
              for (int64_t j = 0; j < dv; ++j) st[i * dv + j] *= g;
            }
          // delta rule: v <- beta (v - S^T k), the new value minus what S already recalls for k.
          std::copy_n(vt, dv, delta.data());
          if (delta_) {
            const float bt = bf[row * beta_width + (beta_width == 1 ? 0 : h)];
            for (int64_t j = 0; j < dv; ++j) {
              float recalled = 0;
              for (int64_t i = 0; i < dk; ++i) recalled += st[i * dv + j] * kt[i];
              delta[j] = bt * (vt[j] - recalled);
            }
          }
          for (int64_t i = 0; i < dk; ++i)
            for (int64_t j = 0; j < dv; ++j) st[i * dv + j] += kt[i] * delta[j];
          for (int64_t qh = h * group; qh < (h + 1) * group; ++qh) {
            const float* qt = qf.data() + row * q_heads_ * dk + qh * dk;
            float* o = out.data() + row * q_heads_ * dv + qh * dv;
            for (int64_t j = 0; j < dv; ++j) {
              float acc = 0;
              for (int64_t i = 0; i < dk; ++i) acc += qt[i] * st[i * dv + j];
              o[j] = scale * acc;
            }
          }
        }
      }
    });
    store(out, y);
    store(s, present);
  }

 private:
  static std::vector<float> floats(const Tensor& t) {
    std::vector<float> out(static_cast<size_t>(t.numel()));
    dispatch_float(t.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* p = t.data<T>();
      for (int64_t i = 0; i < t.numel(); ++i) out[i] = static_cast<float>(static_cast<compute_t<T>>(p[i]));
    });
    return out;
  }

  static void store(const std::vector<float>& v, Tensor& t) {
    dispatch_float(t.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* p = t.data<T>();
      for (int64_t i = 0; i < t.numel(); ++i) p[i] = T(static_cast<compute_t<T>>(v[static_cast<size_t>(i)]));
    });
  }

  int64_t q_heads_ = 0, kv_heads_ = 0;
  float scale_ = 0;
  bool gated_ = false, delta_ = false;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "LinearAttention", 27, ONNXGEN_LATEST, LinearAttention);

}  // namespace onnxgen
