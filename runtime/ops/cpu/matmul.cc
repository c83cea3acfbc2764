// MatMul: float32 on oneDNN; half types widen to float32 around it; the other numeric types
// use the generic product.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/matmul_dims.h"

namespace onnxgen {
namespace {

template <class T>
Tensor widen_to_float(const Tensor& t) {
  Tensor out = Tensor::empty(DataType::kFloat, t.shape());
  const T* src = t.data<T>();
  float* dst = out.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) dst[i] = static_cast<float>(src[i]);
  return out;
}

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
      if constexpr (std::is_same_v<T, float>) {
        batched_gemm(d.problem, a.data<float>(), b.data<float>(), y.data<float>());
      } else if constexpr (std::is_same_v<compute_t<T>, float>) {
        const Tensor wa = widen_to_float<T>(a), wb = widen_to_float<T>(b);
        Tensor wide = Tensor::empty(DataType::kFloat, d.out_shape);
        batched_gemm(d.problem, wa.data<float>(), wb.data<float>(), wide.data<float>());
        const float* src = wide.data<float>();
        T* dst = y.data<T>();
        for (int64_t i = 0; i < y.numel(); ++i) dst[i] = static_cast<T>(src[i]);
      } else {
        batched_gemm_generic<T>(d.problem, a.data<T>(), b.data<T>(), y.data<T>(), ctx.pool());
      }
    });
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "MatMul", 1, ONNXGEN_LATEST, MatMul);

}  // namespace onnxgen
