#pragma once
// The shared shape of one-input elementwise ops: output of the input's shape and element type
// (bool for predicates), computed by an element function from an Op policy class.
#include <string>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/elementwise.h"

namespace onnxgen {

// Op policy: constructible from KernelInit (attributes parsed there); `kTypes` bounds the element
// type; `kGrain` is its cost class; `fn<T>()` returns the element function for storage type T.
template <class Op>
class UnaryKernel : public OpKernel {
 public:
  explicit UnaryKernel(const KernelInit& init) : op_(init), name_(init.node.op_type) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    dispatch_group<Op::kTypes>(x.dtype(), name_.c_str(), [&](auto tag) {
      using T = decltype(tag);
      const auto f = op_.template fn<T>();
      using R = decltype(f(T{}));
      Tensor& y = ctx.allocate(0, data_type_of<R>(), x.shape());
      map_elements(ctx.pool(), x.data<T>(), y.data<R>(), x.numel(), Op::kGrain, f);
    });
  }

 private:
  Op op_;
  std::string name_;
};

// Policy for ops without attributes: F is a stateless generic function of the compute type.
template <TypeGroup G, int64_t Grain, class F>
struct Pure {
  static constexpr TypeGroup kTypes = G;
  static constexpr int64_t kGrain = Grain;
  explicit Pure(const KernelInit&) {}
  template <class T>
  auto fn() const {
    return lift<T>(F{});
  }
};

template <TypeGroup G, int64_t Grain, class F>
using PureUnaryKernel = UnaryKernel<Pure<G, Grain, F>>;

}  // namespace onnxgen
