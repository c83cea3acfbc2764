// Sum Mean Max Min over any number of inputs with broadcasting, folded pairwise into the output.
#include <functional>
#include <string>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/elementwise.h"

namespace onnxgen {
namespace {

// numpy's maximum/minimum: NaN in either operand wins.
struct MaxFn {
  template <class C>
  C operator()(C x, C y) const { return (y > x || y != y) ? y : x; }
};
struct MinFn {
  template <class C>
  C operator()(C x, C y) const { return (y < x || y != y) ? y : x; }
};
struct SumFn {
  template <class C>
  C operator()(C x, C y) const { return wrapping(x, y, std::plus<>()); }
};

template <TypeGroup G, class F, bool kMean = false>
class Variadic : public OpKernel {
 public:
  explicit Variadic(const KernelInit& init) : name_(init.node.op_type) {}

  void compute(KernelContext& ctx) override {
    std::vector<const Tensor*> ins;
    for (size_t i = 0; i < ctx.num_inputs(); ++i)
      if (const Tensor* t = ctx.input(i)) ins.push_back(t);
    ONNXGEN_CHECK(!ins.empty(), name_, " needs at least one input");
    Shape shape = ins[0]->shape();
    for (const Tensor* t : ins) {
      ONNXGEN_CHECK(t->dtype() == ins[0]->dtype(), name_, " inputs differ in element type: ", ins[0]->describe(), " and ",
                    t->describe());
      shape = broadcast_shapes(shape, t->shape());
    }
    if (ins.size() == 1) {
      dispatch_group<G>(ins[0]->dtype(), name_.c_str(), [](auto) {});
      ctx.set_output(0, *ins[0]);
      return;
    }
    dispatch_group<G>(ins[0]->dtype(), name_.c_str(), [&](auto tag) {
      using T = decltype(tag);
      const auto f = lift<T>(F{});
      Tensor& y = ctx.allocate(0, ins[0]->dtype(), shape);
      zip_broadcast<T, T, T>(ctx.pool(), *ins[0], *ins[1], y, kCheapGrain, f);
      for (size_t i = 2; i < ins.size(); ++i) zip_broadcast<T, T, T>(ctx.pool(), y, *ins[i], y, kCheapGrain, f);
      if constexpr (kMean) {
        const auto count = static_cast<compute_t<T>>(ins.size());
        map_elements(ctx.pool(), y.data<T>(), y.data<T>(), y.numel(), kCheapGrain,
                     lift<T>([count](auto v) { return v / count; }));
      }
    });
  }

 private:
  std::string name_;
};

using Sum = Variadic<TypeGroup::kNumeric, SumFn>;
using Mean = Variadic<TypeGroup::kFloat, SumFn, true>;
using Max = Variadic<TypeGroup::kNumeric, MaxFn>;
using Min = Variadic<TypeGroup::kNumeric, MinFn>;

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Sum", 1, ONNXGEN_LATEST, Sum);
ONNXGEN_REGISTER_KERNEL("", "Mean", 1, ONNXGEN_LATEST, Mean);
ONNXGEN_REGISTER_KERNEL("", "Max", 1, ONNXGEN_LATEST, Max);
ONNXGEN_REGISTER_KERNEL("", "Min", 1, ONNXGEN_LATEST, Min);

}  // namespace onnxgen
