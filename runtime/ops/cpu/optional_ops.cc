// Optional, OptionalHasElement, OptionalGetElement. An optional holding a value is the value itself
// (runtime/core/sequence.h), so wrapping and unwrapping move nothing.
#include "runtime/core/sequence.h"
#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class Optional : public OpKernel {
 public:
  explicit Optional(const KernelInit&) {}
  void compute(KernelContext& ctx) override {
    const Tensor* x = ctx.input(0);
    ctx.set_output(0, x ? *x : empty_optional());
  }
};

// From opset 18 the input may also be a plain tensor or sequence, which always has an element;
// an omitted input has none.
class OptionalHasElement : public OpKernel {
 public:
  explicit OptionalHasElement(const KernelInit&) {}
  void compute(KernelContext& ctx) override {
    const Tensor* x = ctx.input(0);
    ctx.set_output(0, Tensor::scalar<bool>(x && !is_empty_optional(*x)));
  }
};

class OptionalGetElement : public OpKernel {
 public:
  explicit OptionalGetElement(const KernelInit&) {}
  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(!is_empty_optional(x), "OptionalGetElement on an empty optional");
    ctx.set_output(0, x);
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Optional", 15, ONNXGEN_LATEST, Optional);
ONNXGEN_REGISTER_KERNEL("", "OptionalHasElement", 15, ONNXGEN_LATEST, OptionalHasElement);
ONNXGEN_REGISTER_KERNEL("", "OptionalGetElement", 15, ONNXGEN_LATEST, OptionalGetElement);

}  // namespace onnxgen
