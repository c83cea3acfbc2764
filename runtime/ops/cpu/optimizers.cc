// Training-preview optimizers (ai.onnx.preview.training): Adagrad, Momentum (standard and
// Nesterov) and Adam. Each takes R (learning rate) and T (update count) and then n tensors per
// state group (X, G, and the optimizer's accumulators), returning the updated X and states.
#include <cmath>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

constexpr const char* kTrainingDomain = "ai.onnx.preview.training";

struct OptimizerIO {
  double rate = 0;
  int64_t step = 0;
  int64_t n = 0;  // tensors optimised
};

// Validates the (R, T, groups x n) layout and that every group's tensors match X's shape.
OptimizerIO check_io(KernelContext& ctx, int64_t groups) {
  const Tensor& r = ctx.required(0);
  const Tensor& t = ctx.required(1);
  ONNXGEN_CHECK(r.numel() == 1 && is_float(r.dtype()), "R must be a floating-point scalar, got ", r.describe());
  ONNXGEN_CHECK(t.numel() == 1 && t.dtype() == DataType::kInt64, "T must be an int64 scalar, got ", t.describe());
  const int64_t rest = static_cast<int64_t>(ctx.num_inputs()) - 2;
  ONNXGEN_CHECK(rest > 0 && rest % groups == 0, "expected ", groups, " groups of tensors after R and T, got ", rest,
                " inputs");
  OptimizerIO io{r.to_double(0), t.to_int64(0), rest / groups};
  for (int64_t i = 0; i < io.n; ++i) {
    const Tensor& x = ctx.required(2 + i);
    ONNXGEN_CHECK(is_float(x.dtype()), "X must be floating-point, got ", x.describe());
    for (int64_t g = 1; g < groups; ++g) {
      const Tensor& other = ctx.required(2 + g * io.n + i);
      ONNXGEN_CHECK(other.shape() == x.shape() && other.dtype() == x.dtype(), "input ", 2 + g * io.n + i, " is ",
                    other.describe(), ", expected ", x.describe());
    }
  }
  return io;
}

// Calls fn(x, g, states..., outputs...) per element of tensor i, in double: `in` are the
// group inputs (X, G, states), `out` the outputs (X_new, new states).
template <class F>
void update(KernelContext& ctx, const OptimizerIO& io, int64_t i, int64_t groups, F fn) {
  const Tensor& x = ctx.required(2 + i);
  std::vector<const Tensor*> in;
  for (int64_t g = 0; g < groups; ++g) in.push_back(&ctx.required(2 + g * io.n + i));
  std::vector<Tensor*> out;
  for (int64_t g = 0; g < groups - 1; ++g) out.push_back(&ctx.allocate(g * io.n + i, x.dtype(), x.shape()));
  dispatch_float(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    double vin[4] = {}, vout[3] = {};
    for (int64_t e = 0; e < x.numel(); ++e) {
      for (int64_t g = 0; g < groups; ++g) vin[g] = static_cast<double>(static_cast<compute_t<T>>(in[g]->data<T>()[e]));
      fn(vin, vout);
      for (int64_t g = 0; g < groups - 1; ++g) out[g]->data<T>()[e] = T(static_cast<compute_t<T>>(vout[g]));
    }
  });
}

class Adagrad : public OpKernel {
 public:
  explicit Adagrad(const KernelInit& init)
      : decay_(init.attrs().get_float("decay_factor", 0)),
        epsilon_(init.attrs().get_float("epsilon", 0)),
        norm_(init.attrs().get_float("norm_coefficient", 0)) {}

  void compute(KernelContext& ctx) override {
    const OptimizerIO io = check_io(ctx, 3);
    const double r = io.rate / (1 + static_cast<double>(io.step) * decay_);
    for (int64_t i = 0; i < io.n; ++i)
      update(ctx, io, i, 3, [&](const double* v, double* o) {
        const double g = norm_ * v[0] + v[1];
        const double h = v[2] + g * g;
        o[0] = v[0] - r * g / (std::sqrt(h) + epsilon_);
        o[1] = h;
      });
  }

 private:
  double decay_, epsilon_, norm_;
};

class Momentum : public OpKernel {
 public:
  explicit Momentum(const KernelInit& init)
      : alpha_(init.attrs().get_float("alpha", 0)),
        beta_(init.attrs().get_float("beta", 0)),
        norm_(init.attrs().get_float("norm_coefficient", 0)) {
    const std::string mode = init.attrs().get_string("mode", "standard");
    ONNXGEN_CHECK(mode == "standard" || mode == "nesterov", "unsupported mode '", mode, "'");
    nesterov_ = mode == "nesterov";
  }

  void compute(KernelContext& ctx) override {
    const OptimizerIO io = check_io(ctx, 3);
    const double beta = io.step > 0 ? beta_ : 1.0;  // the first update takes the full gradient
    for (int64_t i = 0; i < io.n; ++i)
      update(ctx, io, i, 3, [&](const double* v, double* o) {
        const double g = norm_ * v[0] + v[1];
        const double vel = alpha_ * v[2] + beta * g;
        o[0] = v[0] - io.rate * (nesterov_ ? g + alpha_ * vel : vel);
        o[1] = vel;
      });
  }

 private:
  double alpha_, beta_, norm_;
  bool nesterov_ = false;
};

class Adam : public OpKernel {
 public:
  explicit Adam(const KernelInit& init)
      : alpha_(init.attrs().get_float("alpha", 0.9f)),
        beta_(init.attrs().get_float("beta", 0.999f)),
        epsilon_(init.attrs().get_float("epsilon", 1e-6f)),
        norm_(init.attrs().get_float("norm_coefficient", 0)),
        norm_post_(init.attrs().get_float("norm_coefficient_post", 0)) {}

  void compute(KernelContext& ctx) override {
    const OptimizerIO io = check_io(ctx, 4);
    const double t = static_cast<double>(io.step);
    const double r = io.step > 0 ? io.rate * std::sqrt(1 - std::pow(beta_, t)) / (1 - std::pow(alpha_, t)) : io.rate;
    for (int64_t i = 0; i < io.n; ++i)
      update(ctx, io, i, 4, [&](const double* v, double* o) {
        const double g = norm_ * v[0] + v[1];
        const double m = alpha_ * v[2] + (1 - alpha_) * g;
        const double h = beta_ * v[3] + (1 - beta_) * g * g;
        o[0] = (1 - norm_post_) * (v[0] - r * m / (std::sqrt(h) + epsilon_));
        o[1] = m;
        o[2] = h;
      });
  }

 private:
  double alpha_, beta_, epsilon_, norm_, norm_post_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL(kTrainingDomain, "Adagrad", 1, ONNXGEN_LATEST, Adagrad);
ONNXGEN_REGISTER_KERNEL(kTrainingDomain, "Momentum", 1, ONNXGEN_LATEST, Momentum);
ONNXGEN_REGISTER_KERNEL(kTrainingDomain, "Adam", 1, ONNXGEN_LATEST, Adam);

}  // namespace onnxgen
