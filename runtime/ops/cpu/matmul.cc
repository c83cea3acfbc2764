// MatMul: numpy.matmul semantics over the shared batched GEMM.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/matmul_dims.h"

namespace onnxgen {
namespace {

class MatMul : public OpKernel {
 public:
  explicit MatMul(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const Tensor& a = ctx.required(0);
    const Tensor& b = ctx.required(1);
    ONNXGEN_CHECK(a.dtype() == b.dtype(), "MatMul operands differ in type: ", a.describe(), " x ", b.describe());
    const MatMulDims d = matmul_dims(a.shape(), b.shape());
    Tensor& y = ctx.allocate(0, a.dtype(), d.out_shape);
    dispatch_numeric(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      batched_gemm_any<T>(d.problem, a.data<T>(), b.data<T>(), y.data<T>(), ctx.pool());
    });
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "MatMul", 1, ONNXGEN_LATEST, MatMul);

}  // namespace onnxgen
