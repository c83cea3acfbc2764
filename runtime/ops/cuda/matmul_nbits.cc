// com.microsoft MatMulNBits on CUDA for 4-bit codes, with the CPU kernel's contract
// (ops/cpu/matmul_nbits.cc): a GEMV for decode-sized A that reads the packed codes once, and for
// larger A the weights dequantised to A's type and multiplied by cuBLAS. accuracy_level 4 (int8
// compute) quantises A's blocks as the CPU kernel does, so both give the same result. Other bit
// widths and g_idx are refused at planning, so those nodes run on the CPU.
#include "runtime/ops/cuda/cublas_gemm.h"
#include "runtime/ops/cuda/cuda_kernel.h"
#include "runtime/ops/matmul_nbits_inputs.h"

namespace onnxgen {
namespace {

class MatMulNBits : public OpKernel, MatMulNBitsAttrs {
 public:
  explicit MatMulNBits(const KernelInit& init) : MatMulNBitsAttrs(init) {
    ONNXGEN_CHECK(bits_ == 4, "MatMulNBits on cuda takes 4-bit codes, got bits ", bits_);
    const auto& inputs = init.node.inputs;
    ONNXGEN_CHECK(inputs.size() <= 4 || inputs[4].empty(), "MatMulNBits g_idx is not supported on cuda");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& a_in = ctx.required(0);
    const Tensor& b = ctx.required(1);
    const Tensor& scales = ctx.required(2);
    const cuda::ElemType type = cuda_float_type(a_in, "MatMulNBits");
    check_operands(a_in, b, scales);
    cuda::NBitsArgs p;
    p.m = a_in.numel() / k_;
    p.n = n_;
    p.k = k_;
    p.block_size = block_;
    p.blocks = blocks_;
    p.codes = b.data<uint8_t>();
    p.scales = scales.raw();
    p.scale_type = cuda_float_type(scales, "MatMulNBits scales");
    if (const Tensor* zp = ctx.input(3)) {
      p.zero_points = zp->raw();
      p.zero_points_packed = zp->dtype() == DataType::kUInt8;
      if (p.zero_points_packed) {
        ONNXGEN_CHECK(zp->numel() == n_ * ((blocks_ + 1) / 2), "MatMulNBits packed zero_points must hold ",
                      n_ * ((blocks_ + 1) / 2), " bytes, got ", zp->describe());
      } else {
        p.zero_point_type = cuda_float_type(*zp, "MatMulNBits zero_points");
        ONNXGEN_CHECK(zp->numel() == n_ * blocks_, "MatMulNBits zero_points must hold ", n_ * blocks_, " floats, got ",
                      zp->describe());
      }
    }
    if (const Tensor* bias = ctx.input(5)) {
      ONNXGEN_CHECK(bias->dtype() == a_in.dtype() && bias->numel() == n_, "MatMulNBits bias must hold ", n_, " ",
                    to_string(a_in.dtype()), " values, got ", bias->describe());
      p.bias = bias->raw();
    }
    Shape y_shape = a_in.shape();
    y_shape.back() = n_;
    Tensor& y = ctx.allocate(0, a_in.dtype(), y_shape);
    const cudaStream_t stream = stream_of(ctx);
    Tensor a = a_in;
    if (int8_compute_) {
      a = Tensor::empty(a_in.dtype(), a_in.shape(), ctx.allocator());
      cuda::nbits_quantize_a(a_in.raw(), type, p.m, k_, block_, a.raw(), stream);
    }
    if (p.m <= cuda::kNBitsGemvMaxRows) {
      cuda::nbits_gemv(p, a.raw(), type, y.raw(), stream);
      return;
    }
    const Tensor w_t = Tensor::empty(a_in.dtype(), {k_, n_}, ctx.allocator());
    cuda::nbits_dequantize(p, w_t.raw(), type, stream);
    device_gemm(ctx.allocator().device(), type, a.raw(), 0, w_t.raw(), 0, y.raw(), 1, p.m, n_, k_, stream);
    if (p.bias) {
      const Shape bias_shape{n_};
      cuda::binary(cuda::BinaryOp::kAdd, type, y.raw(), dense_view(y.shape()), p.bias, broadcast_view(bias_shape, y.shape()),
                   y.raw(), y.numel(), stream);
    }
  }
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("com.microsoft", "MatMulNBits", 1, ONNXGEN_LATEST, MatMulNBits);

}  // namespace onnxgen
