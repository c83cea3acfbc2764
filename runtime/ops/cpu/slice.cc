// Slice: a strided view of the input (steps may be negative), copied out.
#include <numeric>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/axes.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

class Slice : public OpKernel {
 public:
  // Before opset 10 starts/ends/axes are attributes and steps are all 1; from 10 they are inputs.
  explicit Slice(const KernelInit& init) : from_inputs_(init.opset >= 10) {
    if (from_inputs_) return;
    starts_ = init.attrs().get_ints("starts");
    ends_ = init.attrs().get_ints("ends");
    axes_ = init.attrs().find_ints("axes");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const int64_t rank = static_cast<int64_t>(x.rank());
    std::vector<int64_t> starts = starts_, ends = ends_, steps;
    std::optional<std::vector<int64_t>> axes = axes_;
    if (from_inputs_) {
      starts = ctx.required(1).to_int64_vector();
      ends = ctx.required(2).to_int64_vector();
      if (const Tensor* a = ctx.input(3)) axes = a->to_int64_vector();
      if (const Tensor* s = ctx.input(4)) steps = s->to_int64_vector();
    }
    ONNXGEN_CHECK(starts.size() == ends.size(), "Slice: ", starts.size(), " starts but ", ends.size(), " ends");
    if (!axes) {
      axes.emplace(starts.size());
      std::iota(axes->begin(), axes->end(), 0);
    }
    ONNXGEN_CHECK(axes->size() == starts.size(), "Slice: ", axes->size(), " axes for ", starts.size(), " starts");
    if (steps.empty()) steps.assign(starts.size(), 1);
    ONNXGEN_CHECK(steps.size() == starts.size(), "Slice: ", steps.size(), " steps for ", starts.size(), " starts");

    StridedView view{x.shape(), strides_of(x.shape()), 0};
    const std::vector<int64_t> norm_axes = normalize_axes(*axes, rank);
    for (size_t i = 0; i < norm_axes.size(); ++i) {
      const int64_t a = norm_axes[i], dim = x.dim(a);
      ONNXGEN_CHECK(steps[i] != 0, "Slice: step on axis ", a, " is 0");
      // A step longer than the axis takes one element either way; clamping keeps the math in range.
      const int64_t step = std::clamp<int64_t>(steps[i], -dim - 1, dim + 1);
      int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
      int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
      int64_t len;
      if (step > 0) {
        start = std::clamp<int64_t>(start, 0, dim);
        end = std::clamp<int64_t>(end, 0, dim);
        len = end > start ? (end - start - 1) / step + 1 : 0;
      } else {
        start = std::clamp<int64_t>(start, -1, dim - 1);
        end = std::clamp<int64_t>(end, -1, dim - 1);
        len = start > end ? (start - end - 1) / -step + 1 : 0;
      }
      view.shape[a] = len;
      if (len > 0) view.offset += start * view.strides[a];
      view.strides[a] *= step;
    }
    Tensor& y = ctx.allocate(0, x.dtype(), view.shape);
    strided_copy(x, y, view, ctx.pool());
  }

 private:
  bool from_inputs_;
  std::vector<int64_t> starts_, ends_;
  std::optional<std::vector<int64_t>> axes_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Slice", 1, ONNXGEN_LATEST, Slice);

}  // namespace onnxgen
