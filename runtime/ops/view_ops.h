#pragma once
// Ops that give their input a new shape over the same storage, never a copy (Reshape, Flatten,
// Squeeze, Unsqueeze), and Shape. They never touch element data, so every device registers these
// same kernels; inputs that carry shapes or axes stay on the host.
#include <algorithm>
#include <climits>
#include <optional>
#include <vector>

#include "runtime/exec/kernel.h"
#include "runtime/ops/cpu/axes.h"

namespace onnxgen::view_ops {

// Axes come from the attribute in early opsets and from an optional input once they became one.
inline std::optional<std::vector<int64_t>> axes_argument(const std::optional<std::vector<int64_t>>& attr,
                                                         bool from_input, const KernelContext& ctx, size_t input) {
  if (!from_input) return attr;
  const Tensor* t = ctx.input(input);
  if (!t) return std::nullopt;
  return t->to_int64_vector();
}

class Reshape : public OpKernel {
 public:
  explicit Reshape(const KernelInit& init)
      : shape_attr_(init.opset < 5 ? std::optional(init.attrs().get_ints("shape")) : std::nullopt),
        allowzero_(init.opset >= 14 && init.attrs().get_int("allowzero", 0) != 0) {}
  bool host_input(size_t i) const override { return i == 1; }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    std::vector<int64_t> requested = shape_attr_ ? *shape_attr_ : ctx.required(1).to_int64_vector();
    Shape out(requested.size());
    int64_t inferred = -1, known = 1;
    for (size_t i = 0; i < requested.size(); ++i) {
      int64_t d = requested[i];
      ONNXGEN_CHECK(d >= -1, "Reshape: invalid dimension ", d, " in requested shape");
      if (d == -1) {
        ONNXGEN_CHECK(inferred < 0, "Reshape: more than one -1 in requested shape");
        inferred = static_cast<int64_t>(i);
        continue;
      }
      if (d == 0 && !allowzero_) {
        ONNXGEN_CHECK(i < x.rank(), "Reshape: 0 at position ", i, " copies a dimension the input lacks");
        d = x.dim(i);
      }
      out[i] = d;
      ONNXGEN_CHECK(!__builtin_mul_overflow(known, d, &known), "Reshape: requested shape is too large");
    }
    if (inferred >= 0) {
      ONNXGEN_CHECK(known != 0, "Reshape: cannot infer the -1 dimension next to a zero dimension");
      ONNXGEN_CHECK(x.numel() % known == 0, "Reshape: ", x.numel(), " elements do not divide into the known dims");
      out[inferred] = x.numel() / known;
    }
    ONNXGEN_CHECK(num_elements(out) == x.numel(), "Reshape: cannot reshape ", x.describe(), " to ", to_string(out));
    ctx.set_output(0, x.reshaped(std::move(out)));
  }

 private:
  std::optional<std::vector<int64_t>> shape_attr_;
  bool allowzero_;
};

class Flatten : public OpKernel {
 public:
  explicit Flatten(const KernelInit& init) : axis_(init.attrs().get_int("axis", 1)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const int64_t rank = static_cast<int64_t>(x.rank());
    ONNXGEN_CHECK(axis_ >= -rank && axis_ <= rank, "Flatten: axis ", axis_, " is out of range for rank ", rank);
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    const Shape& s = x.shape();
    ctx.set_output(0, x.reshaped({num_elements(Shape(s.begin(), s.begin() + axis)),
                                  num_elements(Shape(s.begin() + axis, s.end()))}));
  }

 private:
  int64_t axis_;
};

class Squeeze : public OpKernel {
 public:
  explicit Squeeze(const KernelInit& init)
      : axes_attr_(init.attrs().find_ints("axes")), axes_from_input_(init.opset >= 13) {}
  bool host_input(size_t i) const override { return i == 1; }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const auto axes = axes_argument(axes_attr_, axes_from_input_, ctx, 1);
    std::vector<bool> drop(x.rank(), false);
    if (axes) {
      for (int64_t a : normalize_axes(*axes, static_cast<int64_t>(x.rank()))) {
        ONNXGEN_CHECK(x.dim(a) == 1, "Squeeze: axis ", a, " has size ", x.dim(a), ", not 1");
        drop[a] = true;
      }
    } else {
      for (size_t d = 0; d < x.rank(); ++d) drop[d] = x.dim(d) == 1;
    }
    Shape out;
    for (size_t d = 0; d < x.rank(); ++d)
      if (!drop[d]) out.push_back(x.dim(d));
    ctx.set_output(0, x.reshaped(std::move(out)));
  }

 private:
  std::optional<std::vector<int64_t>> axes_attr_;
  bool axes_from_input_;
};

class Unsqueeze : public OpKernel {
 public:
  explicit Unsqueeze(const KernelInit& init)
      : axes_attr_(init.attrs().find_ints("axes")), axes_from_input_(init.opset >= 13) {}
  bool host_input(size_t i) const override { return i == 1; }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const auto axes = axes_argument(axes_attr_, axes_from_input_, ctx, 1);
    ONNXGEN_CHECK(axes.has_value(), "Unsqueeze: axes are required");
    const int64_t out_rank = static_cast<int64_t>(x.rank() + axes->size());
    std::vector<bool> inserted(static_cast<size_t>(out_rank), false);
    for (int64_t a : normalize_axes(*axes, out_rank)) inserted[a] = true;
    Shape out;
    size_t next = 0;
    for (int64_t d = 0; d < out_rank; ++d) out.push_back(inserted[d] ? 1 : x.dim(next++));
    ctx.set_output(0, x.reshaped(std::move(out)));
  }

 private:
  std::optional<std::vector<int64_t>> axes_attr_;
  bool axes_from_input_;
};

// Shape reads only its input's shape and answers on the host, where shape arithmetic runs.
class ShapeOp : public OpKernel {
 public:
  // start/end exist from opset 15; earlier models never set them, so the defaults cover those.
  explicit ShapeOp(const KernelInit& init)
      : start_(init.attrs().get_int("start", 0)), end_(init.attrs().get_int("end", INT64_MAX)) {}

  void compute(KernelContext& ctx) override {
    const Shape& s = ctx.required(0).shape();
    const int64_t rank = static_cast<int64_t>(s.size());
    auto clamp = [&](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + rank : i, 0, rank); };
    const int64_t start = clamp(start_), end = std::max(start, clamp(end_));
    Tensor y = Tensor::empty(DataType::kInt64, {end - start}, cpu_allocator());
    std::copy(s.begin() + start, s.begin() + end, y.data<int64_t>());
    ctx.set_output(0, y);
  }

 private:
  int64_t start_, end_;
};

}  // namespace onnxgen::view_ops
