// Ops that produce tensors from shapes or sizes: Size, ConstantOfShape, EyeLike, Range, and Shape
// (ops/view_ops.h).
#include <cmath>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/numeric_or_bool.h"
#include "runtime/ops/cpu/strided_copy.h"
#include "runtime/ops/view_ops.h"

namespace onnxgen {
namespace {

class Size : public OpKernel {
 public:
  explicit Size(const KernelInit&) {}
  void compute(KernelContext& ctx) override { ctx.set_output(0, Tensor::scalar<int64_t>(ctx.required(0).numel())); }
};

class ConstantOfShape : public OpKernel {
 public:
  explicit ConstantOfShape(const KernelInit& init) {
    if (const Tensor* v = init.attrs().get_tensor("value")) {
      ONNXGEN_CHECK(v->numel() == 1, "ConstantOfShape: value must have one element, got ", v->describe());
      value_ = *v;
    } else {
      value_ = Tensor::scalar(0.0f);
    }
  }

  void compute(KernelContext& ctx) override {
    const Tensor& shape = ctx.required(0);
    ONNXGEN_CHECK(shape.rank() == 1, "ConstantOfShape: shape must be 1-D, got ", shape.describe());
    Tensor& y = ctx.allocate(0, value_.dtype(), shape.to_shape());
    dispatch_by_size(value_.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* out = mutable_elements_of<T>(y);
      std::fill(out, out + y.numel(), *elements_of<T>(value_));
    });
  }

 private:
  Tensor value_;
};

class EyeLike : public OpKernel {
 public:
  explicit EyeLike(const KernelInit& init)
      : dtype_(static_cast<DataType>(init.attrs().get_int("dtype", 0))), k_(init.attrs().get_int("k", 0)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.rank() == 2, "EyeLike: input must be 2-D, got ", x.describe());
    const DataType dtype = dtype_ == DataType::kUndefined ? x.dtype() : dtype_;
    ONNXGEN_CHECK(dtype != DataType::kString, "EyeLike: string output is not allowed");
    Tensor& y = ctx.allocate(0, dtype, x.shape());
    const int64_t rows = x.dim(0), cols = x.dim(1);
    fill_with(y, 0);
    dispatch_numeric_or_bool(dtype, [&](auto tag) {
      using T = decltype(tag);
      T* out = y.data<T>();
      for (int64_t i = std::max<int64_t>(0, -k_); i < rows && i + k_ < cols; ++i)
        out[i * cols + i + k_] = T(compute_t<T>(1));
    });
  }

 private:
  DataType dtype_;
  int64_t k_;
};

class Range : public OpKernel {
 public:
  explicit Range(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const Tensor& start = ctx.required(0);
    const Tensor& limit = ctx.required(1);
    const Tensor& delta = ctx.required(2);
    for (const Tensor* t : {&start, &limit, &delta}) {
      ONNXGEN_CHECK(t->numel() == 1 && t->rank() <= 1, "Range: inputs must be scalars, got ", t->describe());
      ONNXGEN_CHECK(t->dtype() == start.dtype(), "Range: inputs mix ", start.describe(), " and ", t->describe());
    }
    dispatch_numeric(start.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const C first = static_cast<C>(start.data<T>()[0]), last = static_cast<C>(limit.data<T>()[0]),
              step = static_cast<C>(delta.data<T>()[0]);
      ONNXGEN_CHECK(step != C(0), "Range: delta is 0");
      const double span =
          std::ceil((static_cast<double>(last) - static_cast<double>(first)) / static_cast<double>(step));
      ONNXGEN_CHECK(!(span > double(int64_t{1} << 40)), "Range: ", span, " elements is too many");
      const int64_t n = span > 0 ? static_cast<int64_t>(span) : 0;
      Tensor& y = ctx.allocate(0, start.dtype(), {n});
      T* out = y.data<T>();
      for (int64_t i = 0; i < n; ++i) out[i] = T(static_cast<C>(first + static_cast<C>(i) * step));
    });
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Shape", 1, ONNXGEN_LATEST, view_ops::ShapeOp);
ONNXGEN_REGISTER_KERNEL("", "Size", 1, ONNXGEN_LATEST, Size);
ONNXGEN_REGISTER_KERNEL("", "ConstantOfShape", 9, ONNXGEN_LATEST, ConstantOfShape);
ONNXGEN_REGISTER_KERNEL("", "EyeLike", 9, ONNXGEN_LATEST, EyeLike);
ONNXGEN_REGISTER_KERNEL("", "Range", 11, ONNXGEN_LATEST, Range);

}  // namespace onnxgen
