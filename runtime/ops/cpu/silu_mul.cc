// com.onnxgen SiluMul(x, u) = (x * Sigmoid(x)) * u with numpy broadcasting, as SiluMulFusion
// leaves a gated MLP: every step computed and rounded to the storage type as Sigmoid and the two
// Muls would, in one pass.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/elementwise.h"
#include "runtime/ops/cpu/vector_math.h"

namespace onnxgen {
namespace {

class SiluMul : public OpKernel {
 public:
  explicit SiluMul(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& u = ctx.required(1);
    ONNXGEN_CHECK(x.dtype() == u.dtype(), "SiluMul inputs differ in element type: ", x.describe(), " and ",
                  u.describe());
    dispatch_group<TypeGroup::kFloat>(x.dtype(), "SiluMul", [&](auto tag) {
      using T = decltype(tag);
      const auto sigmoid = lift<T>([](auto v) { return sigmoid_of(v); });
      const auto mul = lift<T>([](auto a, auto b) { return a * b; });
      Tensor& y = ctx.allocate(0, x.dtype(), broadcast_shapes(x.shape(), u.shape()));
      zip_broadcast<T, T, T>(ctx.pool(), x, u, y, kCostlyGrain,
                             [=](T a, T b) { return mul(mul(a, sigmoid(a)), b); });
    });
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.onnxgen", "SiluMul", 1, ONNXGEN_LATEST, SiluMul);

}  // namespace onnxgen
