// Ops that only reinterpret a tensor's shape run on CUDA without touching its data (the output
// shares the buffer); Shape reads only the shape and answers on the host, where its consumers
// (shape arithmetic) run.
#include <algorithm>

#include "runtime/ops/cuda/cuda_kernel.h"

namespace onnxgen {
namespace {

class ShapeOp : public OpKernel {
 public:
  explicit ShapeOp(const KernelInit& init)
      : start_(init.attrs().get_int("start", 0)), end_(init.attrs().get_int("end", INT64_MAX)) {}
  void compute(KernelContext& ctx) override {
    const Shape& shape = ctx.required(0).shape();
    const auto rank = static_cast<int64_t>(shape.size());
    auto clamp = [&](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
    const int64_t start = clamp(start_), end = std::max(start, clamp(end_));
    Tensor y = Tensor::empty(DataType::kInt64, {end - start}, cpu_allocator());
    std::copy(shape.begin() + start, shape.begin() + end, y.data<int64_t>());
    ctx.set_output(0, y);
  }

 private:
  int64_t start_, end_;
};

class Reshape : public OpKernel {
 public:
  explicit Reshape(const KernelInit& init) : allow_zero_(init.attrs().get_int("allowzero", 0) != 0) {}
  bool host_input(size_t i) const override { return i == 1; }
  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    Shape shape = ctx.required(1).to_int64_vector();
    int64_t known = 1, infer = -1;
    for (size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] == 0 && !allow_zero_) {
        ONNXGEN_CHECK(d < x.rank(), "Reshape copies dim ", d, " which ", x.describe(), " lacks");
        shape[d] = x.dim(d);
      }
      if (shape[d] == -1) {
        ONNXGEN_CHECK(infer < 0, "Reshape shape has more than one -1");
        infer = static_cast<int64_t>(d);
      } else {
        ONNXGEN_CHECK(shape[d] >= 0, "Reshape shape has a negative dim ", shape[d]);
        known *= shape[d];
      }
    }
    if (infer >= 0) {
      ONNXGEN_CHECK(known > 0 && x.numel() % known == 0, "cannot reshape ", x.describe(), " to ", to_string(shape));
      shape[static_cast<size_t>(infer)] = x.numel() / known;
    }
    ctx.set_output(0, x.reshaped(shape));
  }

 private:
  bool allow_zero_;
};

// Squeeze and Unsqueeze: axes from the attribute (before opset 13) or input 1.
class AxesOp : public OpKernel {
 public:
  AxesOp(const KernelInit& init, bool unsqueeze) : unsqueeze_(unsqueeze), axes_(init.attrs().get_ints("axes")) {}
  bool host_input(size_t i) const override { return i == 1; }
  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    std::vector<int64_t> axes = ctx.input(1) ? ctx.input(1)->to_int64_vector() : axes_;
    Shape shape = x.shape();
    if (unsqueeze_) {
      const auto rank = static_cast<int64_t>(shape.size() + axes.size());
      for (int64_t& a : axes) a = normalize_axis(a, rank);
      std::sort(axes.begin(), axes.end());
      for (int64_t a : axes) shape.insert(shape.begin() + a, 1);
    } else {
      const auto rank = static_cast<int64_t>(shape.size());
      std::vector<bool> drop(shape.size(), axes.empty());
      for (int64_t a : axes) drop[static_cast<size_t>(normalize_axis(a, rank))] = true;
      Shape kept;
      for (size_t d = 0; d < shape.size(); ++d) {
        if (drop[d] && shape[d] == 1) continue;
        ONNXGEN_CHECK(!drop[d] || axes.empty(), "Squeeze axis ", d, " of ", x.describe(), " is not 1");
        kept.push_back(shape[d]);
      }
      shape = kept;
    }
    ctx.set_output(0, x.reshaped(shape));
  }

 private:
  bool unsqueeze_;
  std::vector<int64_t> axes_;
};

struct Squeeze : AxesOp {
  explicit Squeeze(const KernelInit& init) : AxesOp(init, false) {}
};
struct Unsqueeze : AxesOp {
  explicit Unsqueeze(const KernelInit& init) : AxesOp(init, true) {}
};

class Flatten : public OpKernel {
 public:
  explicit Flatten(const KernelInit& init) : axis_(init.attrs().get_int("axis", 1)) {}
  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const int64_t axis = axis_ < 0 ? axis_ + static_cast<int64_t>(x.rank()) : axis_;
    ONNXGEN_CHECK(axis >= 0 && axis <= static_cast<int64_t>(x.rank()), "Flatten axis ", axis_, " is out of range");
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
    ctx.set_output(0, x.reshaped({outer, outer ? x.numel() / outer : 0}));
  }

 private:
  int64_t axis_;
};

class Identity : public OpKernel {
 public:
  explicit Identity(const KernelInit&) {}
  void compute(KernelContext& ctx) override { ctx.set_output(0, ctx.required(0)); }
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("", "Shape", 1, ONNXGEN_LATEST, ShapeOp);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Reshape", 5, ONNXGEN_LATEST, Reshape);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Squeeze", 1, ONNXGEN_LATEST, Squeeze);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Unsqueeze", 1, ONNXGEN_LATEST, Unsqueeze);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Flatten", 1, ONNXGEN_LATEST, Flatten);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Identity", 1, ONNXGEN_LATEST, Identity);

}  // namespace onnxgen
