// Clip: bounds as float attributes up to opset 10, as optional scalar inputs of the data's type
// from 11 (all numeric types from 12).
#include <limits>
#include <optional>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/elementwise.h"

namespace onnxgen {
namespace {

class Clip : public OpKernel {
 public:
  explicit Clip(const KernelInit& init) : bounds_as_inputs_(init.opset >= 11) {
    if (bounds_as_inputs_) return;
    if (init.attrs().has("min")) min_attr_ = init.attrs().get_float("min", 0);
    if (init.attrs().has("max")) max_attr_ = init.attrs().get_float("max", 0);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    dispatch_group<TypeGroup::kNumeric>(x.dtype(), "Clip", [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      C lo = std::numeric_limits<C>::lowest();
      C hi = std::numeric_limits<C>::max();
      if (bounds_as_inputs_) {
        if (const Tensor* t = ctx.input(1)) lo = bound<T>(*t, x, "min");
        if (const Tensor* t = ctx.input(2)) hi = bound<T>(*t, x, "max");
      } else {
        if (min_attr_) lo = static_cast<C>(*min_attr_);
        if (max_attr_) hi = static_cast<C>(*max_attr_);
      }
      Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
      // min(max(x, lo), hi) as numpy.clip: a bound min > max yields max; NaN passes through.
      map_elements(ctx.pool(), x.data<T>(), y.data<T>(), x.numel(), kCheapGrain, lift<T>([lo, hi](auto v) {
                     const auto raised = v < lo ? lo : v;
                     return raised > hi ? hi : raised;
                   }));
    });
  }

 private:
  template <class T>
  static compute_t<T> bound(const Tensor& t, const Tensor& x, const char* which) {
    ONNXGEN_CHECK(t.dtype() == x.dtype(), "Clip ", which, " ", t.describe(), " differs in type from input ", x.describe());
    ONNXGEN_CHECK(t.numel() == 1, "Clip ", which, " must be a scalar, got ", t.describe());
    return widen(t.data<T>()[0]);
  }

  bool bounds_as_inputs_;
  std::optional<float> min_attr_;
  std::optional<float> max_attr_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Clip", 1, ONNXGEN_LATEST, Clip);

}  // namespace onnxgen
