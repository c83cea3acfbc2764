// MatMul: float32 on oneDNN; half types widen to float32 around it; the other numeric types
// use the generic product.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/matmul_dims.h"

namespace onnxgen {
namespace {

// Weight matrices run to millions of elements, so the conversions are split across the pool.
template <class From, class To>
void convert(const From* src, To* dst, int64_t n, ThreadPool& pool) {
  pool.parallel_for(n, 1 << 16, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) dst[i] = static_cast<To>(src[i]);
  });
}

template <class T>
Tensor widen_to_float(const Tensor& t, ThreadPool& pool) {
  Tensor out = Tensor::empty(DataType::kFloat, t.shape());
  convert(t.data<T>(), out.data<float>(), t.numel(), pool);
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
        const Tensor wa = widen_to_float<T>(a, ctx.pool()), wb = widen_to_float<T>(b, ctx.pool());
        Tensor wide = Tensor::empty(DataType::kFloat, d.out_shape);
        batched_gemm(d.problem, wa.data<float>(), wb.data<float>(), wide.data<float>());
        convert(wide.data<float>(), y.data<T>(), y.numel(), ctx.pool());
      } else {
        batched_gemm_generic<T>(d.problem, a.data<T>(), b.data<T>(), y.data<T>(), ctx.pool());
      }
    });
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "MatMul", 1, ONNXGEN_LATEST, MatMul);

}  // namespace onnxgen
