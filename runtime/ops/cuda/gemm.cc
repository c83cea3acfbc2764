// Gemm on CUDA: Y = alpha * op(A) op(B) + beta * C. A transposed operand is copied into place first
// (GPT-2 exports' Gemms are small; the GEMM itself goes through cuBLAS or the tiled kernel).
#include "runtime/ops/cuda/cublas_gemm.h"
#include "runtime/ops/cuda/cuda_kernel.h"

namespace onnxgen {
namespace {

class Gemm : public OpKernel {
 public:
  explicit Gemm(const KernelInit& init)
      : trans_a_(init.attrs().get_int("transA", 0) != 0),
        trans_b_(init.attrs().get_int("transB", 0) != 0),
        alpha_(init.attrs().get_float("alpha", 1.0f)),
        beta_(init.attrs().get_float("beta", 1.0f)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& a = ctx.required(0);
    const Tensor& b = ctx.required(1);
    const Tensor* c = ctx.input(2);
    ONNXGEN_CHECK(a.rank() == 2 && b.rank() == 2, "Gemm takes 2-D A and B, got ", a.describe(), " and ", b.describe());
    ONNXGEN_CHECK(a.dtype() == b.dtype() && (!c || c->dtype() == a.dtype()), "Gemm operands differ in type");
    const cuda::ElemType type = cuda_float_type(a, "Gemm");
    const int64_t m = a.dim(trans_a_ ? 1 : 0), k = a.dim(trans_a_ ? 0 : 1), n = b.dim(trans_b_ ? 0 : 1);
    ONNXGEN_CHECK(b.dim(trans_b_ ? 1 : 0) == k, "Gemm inner dimensions differ: op(A) is [", m, ",", k, "], B is ",
                  b.describe());
    const Shape out_shape{m, n};
    if (c) ONNXGEN_CHECK(c->rank() <= 2, "Gemm's C must have rank <= 2, got ", c->describe());
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

  bool trans_a_, trans_b_;
  float alpha_, beta_;
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("", "Gemm", 7, ONNXGEN_LATEST, Gemm);

}  // namespace onnxgen
