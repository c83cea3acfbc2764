// Activation functions: Relu LeakyRelu Elu Selu Celu HardSigmoid HardSwish Swish ThresholdedRelu Shrink
// Mish Gelu PRelu, and com.microsoft's Gelu, FastGelu, QuickGelu and BiasGelu (the fused forms
// that ONNX Runtime's transformer optimiser writes into LLM exports).
#include <cmath>
#include <functional>

#include "runtime/ops/cpu/convert.h"
#include "runtime/ops/cpu/unary_op.h"
#include "runtime/ops/cpu/vector_math.h"

namespace onnxgen {
namespace {

// Policy base for float-only activations parameterised by attributes.
struct FloatActivation {
  static constexpr TypeGroup kTypes = TypeGroup::kFloat;
  static constexpr int64_t kGrain = kCostlyGrain;
};

template <class C>
C clamp01(C v) {
  return v < 0 ? C{0} : (v > 1 ? C{1} : v);
}

struct ReluFn {
  template <class C>
  C operator()(C x) const { return x < 0 ? C{0} : x; }
};

struct MishFn {
  template <class C>
  C operator()(C x) const { return x * tanh_of(softplus_of(x)); }
};

struct HardSwishFn {
  template <class C>
  C operator()(C x) const { return x * clamp01(x / 6 + C{0.5}); }
};

struct GeluErfFn {
  template <class C>
  C operator()(C x) const { return gelu_of(x); }
};

struct GeluTanhFn {
  template <class C>
  C operator()(C x) const { return gelu_tanh_of(x); }
};

class LeakyRelu : public FloatActivation {
 public:
  explicit LeakyRelu(const KernelInit& init) : alpha_(init.attrs().get_float("alpha", 0.01f)) {}
  template <class T>
  auto fn() const {
    return lift<T>([a = alpha_](auto x) { return x < 0 ? x * a : x; });
  }

 private:
  float alpha_;
};

class Elu : public FloatActivation {
 public:
  explicit Elu(const KernelInit& init) : alpha_(init.attrs().get_float("alpha", 1.0f)) {}
  template <class T>
  auto fn() const {
    return lift<T>([a = alpha_](auto x) { return x < 0 ? a * (exp_of(x) - 1) : x; });
  }

 private:
  float alpha_;
};

class Selu : public FloatActivation {
 public:
  explicit Selu(const KernelInit& init)
      : alpha_(init.attrs().get_float("alpha", 1.67326319217681884765625f)),
        gamma_(init.attrs().get_float("gamma", 1.05070102214813232421875f)) {}
  template <class T>
  auto fn() const {
    return lift<T>([a = alpha_, g = gamma_](auto x) { return x > 0 ? g * x : g * (a * exp_of(x) - a); });
  }

 private:
  float alpha_;
  float gamma_;
};

class Celu : public FloatActivation {
 public:
  explicit Celu(const KernelInit& init) : alpha_(init.attrs().get_float("alpha", 1.0f)) {
    ONNXGEN_CHECK(alpha_ != 0, "Celu alpha must not be 0");
  }
  template <class T>
  auto fn() const {
    return lift<T>([a = alpha_](auto x) {
      using C = decltype(x);
      const C neg = a * (exp_of(x / a) - 1);
      return (x > 0 ? x : C{0}) + (neg < 0 ? neg : C{0});
    });
  }

 private:
  float alpha_;
};

class HardSigmoid : public FloatActivation {
 public:
  explicit HardSigmoid(const KernelInit& init)
      : alpha_(init.attrs().get_float("alpha", 0.2f)), beta_(init.attrs().get_float("beta", 0.5f)) {}
  template <class T>
  auto fn() const {
    return lift<T>([a = alpha_, b = beta_](auto x) { return clamp01(a * x + b); });
  }

 private:
  float alpha_;
  float beta_;
};

// Swish (opset 24): x * sigmoid(alpha * x).
class Swish : public FloatActivation {
 public:
  explicit Swish(const KernelInit& init) : alpha_(init.attrs().get_float("alpha", 1.0f)) {}
  template <class T>
  auto fn() const {
    return lift<T>([a = alpha_](auto x) {
      using C = decltype(x);
      return x / (C{1} + exp_of(-a * x));
    });
  }

 private:
  float alpha_;
};

class ThresholdedRelu : public FloatActivation {
 public:
  explicit ThresholdedRelu(const KernelInit& init) : alpha_(init.attrs().get_float("alpha", 1.0f)) {}
  template <class T>
  auto fn() const {
    return lift<T>([a = alpha_](auto x) { return x > a ? x : decltype(x){0}; });
  }

 private:
  float alpha_;
};

class Shrink {
 public:
  static constexpr TypeGroup kTypes = TypeGroup::kNumeric;
  static constexpr int64_t kGrain = kCheapGrain;
  explicit Shrink(const KernelInit& init)
      : lambd_(init.attrs().get_float("lambd", 0.5f)), bias_(init.attrs().get_float("bias", 0.0f)) {}
  template <class T>
  auto fn() const {
    return lift<T>([l = double{lambd_}, b = double{bias_}](auto x) {
      const double v = static_cast<double>(x);
      return convert_element<decltype(x)>(v < -l ? v + b : (v > l ? v - b : 0.0));
    });
  }

 private:
  float lambd_;
  float bias_;
};

class QuickGelu : public FloatActivation {
 public:
  explicit QuickGelu(const KernelInit& init) : alpha_(init.attrs().get_float("alpha", 1.702f)) {}
  template <class T>
  auto fn() const {
    return lift<T>([a = alpha_](auto x) { return x * sigmoid_of(a * x); });
  }

 private:
  float alpha_;
};

using Relu = PureUnaryKernel<TypeGroup::kSignedOrFloat, kCheapGrain, ReluFn>;
using Mish = PureUnaryKernel<TypeGroup::kFloat, kCostlyGrain, MishFn>;
using HardSwish = PureUnaryKernel<TypeGroup::kFloat, kCheapGrain, HardSwishFn>;
using GeluErf = PureUnaryKernel<TypeGroup::kFloat, kCostlyGrain, GeluErfFn>;

// ONNX Gelu (opset 20): erf form, or the tanh approximation when approximate="tanh".
class Gelu : public OpKernel {
 public:
  explicit Gelu(const KernelInit& init) : erf_(init), tanh_(init) {
    const std::string mode = init.attrs().get_string("approximate", "none");
    ONNXGEN_CHECK(mode == "none" || mode == "tanh", "Gelu approximate must be 'none' or 'tanh', got '", mode, "'");
    use_tanh_ = mode == "tanh";
  }
  void compute(KernelContext& ctx) override { use_tanh_ ? tanh_.compute(ctx) : erf_.compute(ctx); }

 private:
  GeluErf erf_;
  PureUnaryKernel<TypeGroup::kFloat, kCostlyGrain, GeluTanhFn> tanh_;
  bool use_tanh_ = false;
};

// y = x < 0 ? slope * x : x, with slope broadcast to x's shape. Before opset 7 a 1-D slope
// holds one value per channel (axis 1) rather than aligning with the trailing axis.
class PRelu : public OpKernel {
 public:
  explicit PRelu(const KernelInit& init) : per_channel_slope_(init.opset < 7) {}
  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    Tensor slope = ctx.required(1);
    if (per_channel_slope_ && slope.rank() == 1 && slope.numel() > 1 && x.rank() >= 2 && slope.dim(0) == x.dim(1)) {
      Shape channel_shape(x.rank() - 1, 1);
      channel_shape[0] = slope.dim(0);
      slope = slope.reshaped(channel_shape);
    }
    ONNXGEN_CHECK(x.dtype() == slope.dtype(), "PRelu slope ", slope.describe(), " differs in type from X ", x.describe());
    ONNXGEN_CHECK(broadcast_shapes(x.shape(), slope.shape()) == x.shape(), "PRelu slope ", to_string(slope.shape()),
                  " does not broadcast to X ", to_string(x.shape()));
    dispatch_group<TypeGroup::kSignedOrFloat>(x.dtype(), "PRelu", [&](auto tag) {
      using T = decltype(tag);
      Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
      zip_broadcast<T, T, T>(ctx.pool(), x, slope, y, kCheapGrain,
                             lift<T>([](auto v, auto s) { return v < 0 ? wrapping(v, s, std::multiplies<>()) : v; }));
    });
  }

 private:
  bool per_channel_slope_;
};

// com.microsoft FastGelu (tanh form) and BiasGelu (erf form): gelu(X + bias), bias optional for
// FastGelu and broadcast over X's trailing dims.
template <class GeluFn, bool kBiasRequired>
class BiasedGelu : public OpKernel {
 public:
  explicit BiasedGelu(const KernelInit&) {}
  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor* bias = kBiasRequired ? &ctx.required(1) : ctx.input(1);
    if (bias) {
      ONNXGEN_CHECK(bias->dtype() == x.dtype(), "bias ", bias->describe(), " differs in type from X ", x.describe());
      ONNXGEN_CHECK(broadcast_shapes(x.shape(), bias->shape()) == x.shape(), "bias ", to_string(bias->shape()),
                    " does not broadcast to X ", to_string(x.shape()));
    }
    dispatch_group<TypeGroup::kFloat>(x.dtype(), "Gelu", [&](auto tag) {
      using T = decltype(tag);
      Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
      const auto gelu = lift<T>(GeluFn{});
      if (bias) {
        zip_broadcast<T, T, T>(ctx.pool(), x, *bias, y, kCostlyGrain,
                               [&gelu](const T& v, const T& b) { return gelu(to_storage<T>(widen(v) + widen(b))); });
      } else {
        map_elements(ctx.pool(), x.data<T>(), y.data<T>(), x.numel(), kCostlyGrain, gelu);
      }
    });
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Relu", 1, ONNXGEN_LATEST, Relu);
ONNXGEN_REGISTER_KERNEL("", "LeakyRelu", 1, ONNXGEN_LATEST, UnaryKernel<LeakyRelu>);
ONNXGEN_REGISTER_KERNEL("", "Elu", 1, ONNXGEN_LATEST, UnaryKernel<Elu>);
ONNXGEN_REGISTER_KERNEL("", "Selu", 1, ONNXGEN_LATEST, UnaryKernel<Selu>);
ONNXGEN_REGISTER_KERNEL("", "Celu", 12, ONNXGEN_LATEST, UnaryKernel<Celu>);
ONNXGEN_REGISTER_KERNEL("", "HardSigmoid", 1, ONNXGEN_LATEST, UnaryKernel<HardSigmoid>);
ONNXGEN_REGISTER_KERNEL("", "HardSwish", 14, ONNXGEN_LATEST, HardSwish);
ONNXGEN_REGISTER_KERNEL("", "Swish", 24, ONNXGEN_LATEST, UnaryKernel<Swish>);
ONNXGEN_REGISTER_KERNEL("", "ThresholdedRelu", 10, ONNXGEN_LATEST, UnaryKernel<ThresholdedRelu>);
ONNXGEN_REGISTER_KERNEL("", "Shrink", 9, ONNXGEN_LATEST, UnaryKernel<Shrink>);
ONNXGEN_REGISTER_KERNEL("", "Mish", 18, ONNXGEN_LATEST, Mish);
ONNXGEN_REGISTER_KERNEL("", "Gelu", 20, ONNXGEN_LATEST, Gelu);
ONNXGEN_REGISTER_KERNEL("", "PRelu", 1, ONNXGEN_LATEST, PRelu);
ONNXGEN_REGISTER_KERNEL("com.microsoft", "Gelu", 1, ONNXGEN_LATEST, GeluErf);
ONNXGEN_REGISTER_KERNEL("com.microsoft", "QuickGelu", 1, ONNXGEN_LATEST, UnaryKernel<QuickGelu>);
ONNXGEN_REGISTER_KERNEL("com.microsoft", "FastGelu", 1, ONNXGEN_LATEST, BiasedGelu<GeluTanhFn, false>);
ONNXGEN_REGISTER_KERNEL("com.microsoft", "BiasGelu", 1, ONNXGEN_LATEST, BiasedGelu<GeluErfFn, true>);

}  // namespace onnxgen
