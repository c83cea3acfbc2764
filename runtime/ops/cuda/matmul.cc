// MatMul on CUDA through cuBLAS where it loads, else the tiled kernel. A weight of rank <= 2 folds
// every batch of A into the rows of one GEMM; else the batch dims must match or A's be all 1.
#include "runtime/ops/cuda/cublas_gemm.h"
#include "runtime/ops/cuda/cuda_kernel.h"

namespace onnxgen {
namespace {

class MatMul : public OpKernel {
 public:
  explicit MatMul(const KernelInit&) {}
  void compute(KernelContext& ctx) override {
    const Tensor& a_in = ctx.required(0);
    const Tensor& b_in = ctx.required(1);
    ONNXGEN_CHECK(a_in.dtype() == b_in.dtype(), "MatMul inputs must share a type, got ", a_in.describe(), " and ",
                  b_in.describe());
    const cuda::ElemType type = cuda_float_type(a_in, "MatMul");
    ONNXGEN_CHECK(a_in.rank() >= 1 && b_in.rank() >= 1, "MatMul inputs must have rank >= 1");
    // 1-D operands gain a unit dim that the output drops again.
    const Tensor a = a_in.rank() == 1 ? a_in.reshaped({1, a_in.dim(0)}) : a_in;
    const Tensor b = b_in.rank() == 1 ? b_in.reshaped({b_in.dim(0), 1}) : b_in;
    const int64_t m = a.dim(a.rank() - 2), k = a.dim(a.rank() - 1), n = b.dim(b.rank() - 1);
    ONNXGEN_CHECK(b.dim(b.rank() - 2) == k, "MatMul inner dims differ: ", a_in.describe(), " x ", b_in.describe());
    const Shape a_batch(a.shape().begin(), a.shape().end() - 2), b_batch(b.shape().begin(), b.shape().end() - 2);
    const Shape batch_shape = broadcast_shapes(a_batch, b_batch);
    Shape out_shape = batch_shape;
    if (a_in.rank() > 1) out_shape.push_back(m);
    if (b_in.rank() > 1) out_shape.push_back(n);
    Tensor& y = ctx.allocate(0, a.dtype(), out_shape);
    const int64_t batch = num_elements(batch_shape);
    const int64_t a_count = num_elements(a_batch), b_count = num_elements(b_batch);
    if (b_count == 1) {
      device_gemm(ctx.allocator().device(), type, a.raw(), 0, b.raw(), 0, y.raw(), 1, batch * m, n, k, stream_of(ctx));
      return;
    }
    ONNXGEN_CHECK((a_count == batch || a_count == 1) && b_count == batch, "MatMul on cuda does not broadcast ",
                  a_in.describe(), " x ", b_in.describe());
    device_gemm(ctx.allocator().device(), type, a.raw(), a_count == 1 ? 0 : m * k, b.raw(), k * n, y.raw(), batch, m, n, k,
                stream_of(ctx));
  }
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("", "MatMul", 1, ONNXGEN_LATEST, MatMul);

}  // namespace onnxgen
