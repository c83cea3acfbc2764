// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (which is NLL over log-softmax along the
// class axis 1): per-class weights, an ignored target value, and none/sum/mean reductions, where
// mean divides by the total weight of the targets not ignored.
#include <cmath>
#include <optional>
#include <string>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/reduce_axes.h"

namespace onnxgen {
namespace {

enum class Reduction { kNone, kSum, kMean };

Reduction parse_reduction(const std::string& r) {
  if (r == "none") return Reduction::kNone;
  if (r == "sum") return Reduction::kSum;
  if (r == "mean") return Reduction::kMean;
  fail("unknown reduction '", r, "' (expected none, sum or mean)");
}

struct LossConfig {
  Reduction reduction;
  std::optional<int64_t> ignore_index;
};

// log_prob is [N, C, D] in compute type C; target is [N, (d...)] with N * D elements.
template <class T, class C>
void nll(KernelContext& ctx, const LossConfig& cfg, const std::vector<C>& log_prob, const Shape& input_shape,
         const Tensor& target, const Tensor* weight) {
  ONNXGEN_CHECK(input_shape.size() >= 2, "input must be [N, C, ...], got rank ", input_shape.size());
  const int64_t n = input_shape[0], classes = input_shape[1], d = dims_product(input_shape, 2, input_shape.size());
  Shape target_shape = input_shape;
  target_shape.erase(target_shape.begin() + 1);
  ONNXGEN_CHECK(is_integer(target.dtype()) && target.shape() == target_shape, "target ", target.describe(), " must be integers of shape ",
                to_string(target_shape));
  ONNXGEN_CHECK(!weight || (weight->rank() == 1 && weight->dim(0) == classes && is_float(weight->dtype())), "weight ",
                weight ? weight->describe() : "", " must have one value per class (", classes, ")");
  std::vector<C> losses(static_cast<size_t>(n * d));
  C total = 0, weight_sum = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) {
      const int64_t t = target.to_int64(i * d + j);
      C& loss = losses[static_cast<size_t>(i * d + j)];
      if (cfg.ignore_index && t == *cfg.ignore_index) {
        loss = 0;
        continue;
      }
      ONNXGEN_CHECK(t >= 0 && t < classes, "target value ", t, " is outside [0, ", classes, ")");
      const C w = weight ? static_cast<C>(weight->to_double(t)) : C(1);
      loss = -log_prob[static_cast<size_t>((i * classes + t) * d + j)] * w;
      total += loss;
      weight_sum += w;
    }
  const DataType dtype = data_type_of<T>();
  if (cfg.reduction == Reduction::kNone) {
    T* out = ctx.allocate(0, dtype, target_shape).template data<T>();
    for (size_t i = 0; i < losses.size(); ++i) out[i] = static_cast<T>(losses[i]);
    return;
  }
  const C value = cfg.reduction == Reduction::kSum ? total : total / weight_sum;
  *ctx.allocate(0, dtype, {}).template data<T>() = static_cast<T>(value);
}

LossConfig loss_config(const KernelInit& init) {
  LossConfig cfg{parse_reduction(init.attrs().get_string("reduction", "mean")), std::nullopt};
  if (init.attrs().has("ignore_index")) cfg.ignore_index = init.attrs().get_int("ignore_index");
  return cfg;
}

const Tensor* optional_input(KernelContext& ctx, size_t i) {
  const Tensor* t = ctx.input(i);
  return t && t->defined() ? t : nullptr;
}

class NegativeLogLikelihoodLoss : public OpKernel {
 public:
  explicit NegativeLogLikelihoodLoss(const KernelInit& init) : cfg_(loss_config(init)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& input = ctx.required(0);
    dispatch_float(input.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      std::vector<C> log_prob(static_cast<size_t>(input.numel()));
      for (int64_t i = 0; i < input.numel(); ++i) log_prob[static_cast<size_t>(i)] = static_cast<C>(input.data<T>()[i]);
      nll<T, C>(ctx, cfg_, log_prob, input.shape(), ctx.required(1), optional_input(ctx, 2));
    });
  }

 private:
  LossConfig cfg_;
};

class SoftmaxCrossEntropyLoss : public OpKernel {
 public:
  explicit SoftmaxCrossEntropyLoss(const KernelInit& init) : cfg_(loss_config(init)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& scores = ctx.required(0);
    ONNXGEN_CHECK(scores.rank() >= 2, "scores must be [N, C, ...], got ", scores.describe());
    const AxisSplit s = split_at_axis(scores.shape(), 1);
    dispatch_float(scores.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* x = scores.data<T>();
      std::vector<C> log_prob(static_cast<size_t>(scores.numel()));
      for (int64_t o = 0; o < s.outer; ++o)
        for (int64_t j = 0; j < s.inner; ++j) {
          const int64_t base = o * s.extent * s.inner + j;
          C max = static_cast<C>(x[base]);
          for (int64_t c = 1; c < s.extent; ++c) max = std::max(max, static_cast<C>(x[base + c * s.inner]));
          C sum = 0;
          for (int64_t c = 0; c < s.extent; ++c) sum += std::exp(static_cast<C>(x[base + c * s.inner]) - max);
          const C shift = max + std::log(sum);
          for (int64_t c = 0; c < s.extent; ++c)
            log_prob[static_cast<size_t>(base + c * s.inner)] = static_cast<C>(x[base + c * s.inner]) - shift;
        }
      nll<T, C>(ctx, cfg_, log_prob, scores.shape(), ctx.required(1), optional_input(ctx, 2));
      if (ctx.output_wanted(1)) {
        T* out = ctx.allocate(1, scores.dtype(), scores.shape()).template data<T>();
        for (size_t i = 0; i < log_prob.size(); ++i) out[i] = static_cast<T>(log_prob[i]);
      }
    });
  }

 private:
  LossConfig cfg_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "NegativeLogLikelihoodLoss", 12, ONNXGEN_LATEST, NegativeLogLikelihoodLoss);
ONNXGEN_REGISTER_KERNEL("", "SoftmaxCrossEntropyLoss", 12, ONNXGEN_LATEST, SoftmaxCrossEntropyLoss);

}  // namespace onnxgen
