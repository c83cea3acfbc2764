// Elementwise ops on CUDA: broadcasting arithmetic (com.onnxgen SiluMul too), comparisons and
// Where, activations and Cast.
#include "runtime/ops/cuda/cuda_kernel.h"
#include "runtime/ops/where_inputs.h"

namespace onnxgen {
namespace {

template <cuda::BinaryOp Op>
class Binary : public OpKernel {
 public:
  explicit Binary(const KernelInit&) {}
  void compute(KernelContext& ctx) override {
    const Tensor& a = ctx.required(0);
    const Tensor& b = ctx.required(1);
    ONNXGEN_CHECK(a.dtype() == b.dtype(), "inputs must share a type, got ", a.describe(), " and ", b.describe());
    const cuda::ElemType type = cuda_float_type(a, ctx.node().op_type.c_str());
    const Shape out_shape = broadcast_shapes(a.shape(), b.shape());
    Tensor& y = ctx.allocate(0, a.dtype(), out_shape);
    cuda::binary(Op, type, a.raw(), broadcast_view(a.shape(), out_shape), b.raw(), broadcast_view(b.shape(), out_shape),
                 y.raw(), y.numel(), stream_of(ctx));
  }
};

template <cuda::UnaryOp Op>
class Unary : public OpKernel {
 public:
  explicit Unary(const KernelInit&) {}
  void compute(KernelContext& ctx) override { run(ctx, Op); }

  static void run(KernelContext& ctx, cuda::UnaryOp op) {
    const Tensor& x = ctx.required(0);
    const cuda::ElemType type = cuda_float_type(x, ctx.node().op_type.c_str());
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    cuda::unary(op, type, x.raw(), y.raw(), x.numel(), stream_of(ctx));
  }
};

class Gelu : public OpKernel {
 public:
  explicit Gelu(const KernelInit& init) {
    const std::string approximate = init.attrs().get_string("approximate", "none");
    ONNXGEN_CHECK(approximate == "none" || approximate == "tanh", "Gelu approximate must be none or tanh, got ",
                  approximate);
    op_ = approximate == "tanh" ? cuda::UnaryOp::kGeluTanh : cuda::UnaryOp::kGelu;
  }
  void compute(KernelContext& ctx) override { Unary<cuda::UnaryOp::kGelu>::run(ctx, op_); }

 private:
  cuda::UnaryOp op_;
};

class Cast : public OpKernel {
 public:
  explicit Cast(const KernelInit& init) : to_(static_cast<DataType>(init.attrs().get_int("to"))) {}
  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const cuda::ElemType from = cuda_elem_type(x, "Cast");
    Tensor& y = ctx.allocate(0, to_, x.shape());
    cuda::cast(from, x.raw(), cuda_elem_type(y, "Cast"), y.raw(), x.numel(), stream_of(ctx));
  }

 private:
  DataType to_;
};

template <cuda::CompareOp Op>
class Compare : public OpKernel {
 public:
  explicit Compare(const KernelInit&) {}
  void compute(KernelContext& ctx) override {
    const Tensor& a = ctx.required(0);
    const Tensor& b = ctx.required(1);
    ONNXGEN_CHECK(a.dtype() == b.dtype(), "inputs must share a type, got ", a.describe(), " and ", b.describe());
    const cuda::ElemType type = cuda_elem_type(a, ctx.node().op_type.c_str());
    const Shape out_shape = broadcast_shapes(a.shape(), b.shape());
    Tensor& y = ctx.allocate(0, DataType::kBool, out_shape);
    cuda::compare(Op, type, a.raw(), broadcast_view(a.shape(), out_shape), b.raw(), broadcast_view(b.shape(), out_shape),
                  y.data<bool>(), y.numel(), stream_of(ctx));
  }
};

class Where : public OpKernel {
 public:
  explicit Where(const KernelInit&) {}
  void compute(KernelContext& ctx) override {
    const Tensor& cond = ctx.required(0);
    const Tensor& x = ctx.required(1);
    const Tensor& y = ctx.required(2);
    check_where_inputs(cond, x, y);
    cuda_elem_type(x, "Where");
    const Shape out_shape = broadcast_shapes(broadcast_shapes(cond.shape(), x.shape()), y.shape());
    Tensor& out = ctx.allocate(0, x.dtype(), out_shape);
    cuda::where(cond.data<bool>(), broadcast_view(cond.shape(), out_shape), x.raw(), broadcast_view(x.shape(), out_shape),
                y.raw(), broadcast_view(y.shape(), out_shape), out.raw(), out.numel(),
                static_cast<int64_t>(element_size(x.dtype())), stream_of(ctx));
  }
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("", "Add", 7, ONNXGEN_LATEST, Binary<cuda::BinaryOp::kAdd>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Sub", 7, ONNXGEN_LATEST, Binary<cuda::BinaryOp::kSub>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Mul", 7, ONNXGEN_LATEST, Binary<cuda::BinaryOp::kMul>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Div", 7, ONNXGEN_LATEST, Binary<cuda::BinaryOp::kDiv>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Pow", 7, ONNXGEN_LATEST, Binary<cuda::BinaryOp::kPow>);
ONNXGEN_REGISTER_CUDA_KERNEL("com.onnxgen", "SiluMul", 1, ONNXGEN_LATEST, Binary<cuda::BinaryOp::kSiluMul>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Sigmoid", 6, ONNXGEN_LATEST, Unary<cuda::UnaryOp::kSigmoid>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Tanh", 6, ONNXGEN_LATEST, Unary<cuda::UnaryOp::kTanh>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Relu", 6, ONNXGEN_LATEST, Unary<cuda::UnaryOp::kRelu>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Neg", 6, ONNXGEN_LATEST, Unary<cuda::UnaryOp::kNeg>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Exp", 6, ONNXGEN_LATEST, Unary<cuda::UnaryOp::kExp>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Sqrt", 6, ONNXGEN_LATEST, Unary<cuda::UnaryOp::kSqrt>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Erf", 9, ONNXGEN_LATEST, Unary<cuda::UnaryOp::kErf>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Reciprocal", 6, ONNXGEN_LATEST, Unary<cuda::UnaryOp::kReciprocal>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Sin", 7, ONNXGEN_LATEST, Unary<cuda::UnaryOp::kSin>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Cos", 7, ONNXGEN_LATEST, Unary<cuda::UnaryOp::kCos>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Equal", 7, ONNXGEN_LATEST, Compare<cuda::CompareOp::kEqual>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Less", 7, ONNXGEN_LATEST, Compare<cuda::CompareOp::kLess>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "LessOrEqual", 12, ONNXGEN_LATEST, Compare<cuda::CompareOp::kLessOrEqual>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Greater", 7, ONNXGEN_LATEST, Compare<cuda::CompareOp::kGreater>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "GreaterOrEqual", 12, ONNXGEN_LATEST, Compare<cuda::CompareOp::kGreaterOrEqual>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Where", 9, ONNXGEN_LATEST, Where);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Gelu", 20, ONNXGEN_LATEST, Gelu);
ONNXGEN_REGISTER_CUDA_KERNEL("com.microsoft", "Gelu", 1, ONNXGEN_LATEST, Unary<cuda::UnaryOp::kGelu>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Cast", 6, ONNXGEN_LATEST, Cast);

}  // namespace onnxgen
