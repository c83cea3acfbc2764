// com.onnxgen MatMulBf16Weights(A, B) = MatMul(A, B) for float32 A and a float32 initializer B of
// [K, N] ([N, K] with trans_b=1, from a Gemm) read through its bfloat16 copy (Bf16WeightCopy), as
// Bf16WeightsPass leaves the MatMuls and Gemms of a model loaded with bfloat16 weights: a decode
// step streams half the bytes on gemv_bf16, a prompt runs oneDNN's bf16 GEMM. The copy's [N][K]
// layout gives the decode products each output's weights contiguous, one stream per thread with
// no partial sums to add up (SmolLM2's 576-wide projections at one row: 17-20 GB/s read [K][N] ->
// 29-33 GB/s).
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/batched_gemm.h"
#include "runtime/ops/cpu/bf16_weight_copy.h"
#include "runtime/ops/cpu/matmul_dims.h"

namespace onnxgen {
namespace {

class MatMulBf16Weights : public OpKernel {
 public:
  explicit MatMulBf16Weights(const KernelInit& init) : trans_b_(init.attrs().get_int("trans_b", 0) != 0) {}

  void compute(KernelContext& ctx) override {
    const Tensor& a = ctx.required(0);
    const Tensor& b = ctx.required(1);
    ONNXGEN_CHECK(a.dtype() == DataType::kFloat && b.dtype() == DataType::kFloat && b.rank() == 2,
                  "MatMulBf16Weights takes float32 A and a float32 2-D B, got ", a.describe(), " x ", b.describe());
    const MatMulDims d = matmul_dims(a.shape(), trans_b_ ? Shape{b.dim(1), b.dim(0)} : b.shape());
    Tensor& y = ctx.allocate(0, DataType::kFloat, d.out_shape);
    const int64_t rows = num_elements(d.problem.batch_a) * d.problem.m;
    const BFloat16* weights = weights_.get(ctx.pool(), b, trans_b_).data();
    gemm_bf16_weights(ctx.pool(), rows, d.problem.n, d.problem.k, a.data<float>(), weights, y.data<float>());
  }

 private:
  bool trans_b_;
  Bf16WeightInput weights_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.onnxgen", "MatMulBf16Weights", 1, ONNXGEN_LATEST, MatMulBf16Weights);

}  // namespace onnxgen
