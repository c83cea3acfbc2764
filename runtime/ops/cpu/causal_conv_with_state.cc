// CausalConvWithState: a depthwise 1-D convolution over [batch, channels, length] that sees only
// the current and past positions, with the last k-1 inputs carried between calls (the short
// convolution of Mamba and Gated DeltaNet), and an optional fused SiLU.
#include <cmath>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class CausalConvWithState : public OpKernel {
 public:
  explicit CausalConvWithState(const KernelInit& init) {
    const std::string activation = init.attrs().get_string("activation", "none");
    ONNXGEN_CHECK(activation == "none" || activation == "silu" || activation == "swish", "unsupported activation '",
                  activation, "' (none, silu or swish)");
    silu_ = activation != "none";
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& w = ctx.required(1);
    const Tensor* bias = ctx.input(2);
    const Tensor* past = ctx.input(3);
    ONNXGEN_CHECK(x.rank() == 3, "input must be [batch, channels, length], got ", x.describe());
    const int64_t batch = x.dim(0), channels = x.dim(1), len = x.dim(2);
    ONNXGEN_CHECK(w.rank() == 3 && w.dim(0) == channels && w.dim(1) == 1 && w.dim(2) >= 1, "weight must be [",
                  channels, ", 1, k], got ", w.describe());
    const int64_t k = w.dim(2), carry = k - 1;
    ONNXGEN_CHECK(!bias || (bias->rank() == 1 && bias->dim(0) == channels), "bias must be [", channels, "], got ",
                  bias->describe());
    ONNXGEN_CHECK(!past || past->shape() == Shape({batch, channels, carry}), "past_state must be [", batch, ", ",
                  channels, ", ", carry, "], got ", past->describe());
    for (const Tensor* t : {&w, bias, past})
      ONNXGEN_CHECK(!t || t->dtype() == x.dtype(), "all inputs must be ", to_string(x.dtype()), ", got ",
                    t->describe());
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    Tensor state = ctx.output_wanted(1) ? ctx.allocate(1, x.dtype(), {batch, channels, carry})
                                        : Tensor::empty(x.dtype(), {batch, channels, carry});
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* in = x.data<T>();
      const T* wt = w.data<T>();
      const T* pst = past ? past->data<T>() : nullptr;
      T* out = y.data<T>();
      T* present = state.data<T>();
      ctx.pool().parallel_for(batch * channels, 1, [&](int64_t begin, int64_t end) {
        std::vector<C> row(static_cast<size_t>(carry + len));
        for (int64_t plane = begin; plane < end; ++plane) {
          const int64_t c = plane % channels;
          for (int64_t i = 0; i < carry; ++i) row[i] = pst ? static_cast<C>(pst[plane * carry + i]) : C(0);
          for (int64_t i = 0; i < len; ++i) row[carry + i] = static_cast<C>(in[plane * len + i]);
          const C b = bias ? static_cast<C>(bias->data<T>()[c]) : C(0);
          for (int64_t t = 0; t < len; ++t) {
            C acc = b;
            for (int64_t j = 0; j < k; ++j) acc += static_cast<C>(wt[c * k + j]) * row[t + j];
            if (silu_) acc = acc / (C(1) + std::exp(-acc));
            out[plane * len + t] = T(acc);
          }
          for (int64_t i = 0; i < carry; ++i) present[plane * carry + i] = T(row[len + i]);
        }
      });
    });
  }

 private:
  bool silu_ = false;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "CausalConvWithState", 27, ONNXGEN_LATEST, CausalConvWithState);

}  // namespace onnxgen
