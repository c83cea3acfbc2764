// Gemm on CUDA: Y = alpha * op(A) op(B) + beta * C. A transposed operand is copied into place first
// (GPT-2 exports' Gemms are small; the GEMM itself goes through cuBLAS or the tiled kernel).
#include "runtime/ops/cuda/cublas_gemm.h"
#include "runtime/ops/cuda/cuda_kernel.h"
#include "runtime/ops/gemm_inputs.h"

namespace onnxgen {
namespace {

class Gemm : public OpKernel, GemmAttrs {
 public:
  explicit Gemm(const KernelInit& init) : GemmAttrs(init) {}

  void compute(KernelContext& ctx) override {
    const auto [a, b, c, m, n, k] = operands(ctx);
    const cuda::ElemType type = cuda_float_type(a, "Gemm");
    const Shape out_shape{m, n};
    const cudaStream_t stream = stream_of(ctx);
    const Tensor a_n = trans_a_ ? transposed(ctx, a) : a, b_n = trans_b_ ? transposed(ctx, b) : b;
    Tensor& y = ctx.allocate(0, a.dtype(), out_shape);
    device_gemm(ctx.allocator().device(), type, a_n.raw(), 0, b_n.raw(), 0, y.raw(), 1, m, n, k, stream);
    const bool add_c = c && beta_ != 0.0f;
    if (alpha_ != 1.0f || add_c)
      cuda::scale_add(type, y.raw(), dense_view(out_shape), alpha_, add_c ? c->raw() : nullptr,
                      add_c ? broadcast_view(c->shape(), out_shape) : cuda::StridedDims{}, beta_, y.numel(), stream);
  }

 private:
  static Tensor transposed(KernelContext& ctx, const Tensor& t) {
    const Shape shape{t.dim(1), t.dim(0)};
    Tensor out = Tensor::empty(t.dtype(), shape, ctx.allocator());
    cuda::StridedDims src = dense_view(shape);
    src.strides[0] = 1;
    src.strides[1] = t.dim(1);
    cuda::strided_copy(t.raw(), src, 0, out.raw(), dense_view(shape), 0, static_cast<int64_t>(element_size(t.dtype())),
                       stream_of(ctx));
    return out;
  }
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("", "Gemm", 7, ONNXGEN_LATEST, Gemm);

}  // namespace onnxgen
