// SplitToSequence and ConcatFromSequence: the sequence counterparts of Split and Concat (and of
// Stack, with ConcatFromSequence's new_axis).
#include "runtime/core/sequence.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/concat.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

class SplitToSequence : public OpKernel {
 public:
  explicit SplitToSequence(const KernelInit& init)
      : axis_(init.attrs().get_int("axis", 0)), keepdims_(init.attrs().get_int("keepdims", 1) != 0) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const int64_t axis = normalize_axis(axis_, static_cast<int64_t>(x.rank()));
    const int64_t dim = x.dim(axis);
    // Without `split`, every index along the axis is an element, and keepdims may drop the axis.
    std::vector<int64_t> sizes;
    bool drop_axis = false;
    if (const Tensor* split = ctx.input(1)) {
      if (split->rank() == 0) {
        const int64_t chunk = split->to_int64(0);
        ONNXGEN_CHECK(chunk > 0, "SplitToSequence: split ", chunk, " must be positive");
        for (int64_t left = dim; left > 0; left -= chunk) sizes.push_back(std::min(chunk, left));
      } else {
        sizes = split->to_int64_vector();
        int64_t total = 0;
        for (int64_t s : sizes) {
          ONNXGEN_CHECK(s >= 0, "SplitToSequence: negative split ", s);
          total += s;
        }
        ONNXGEN_CHECK(total == dim, "SplitToSequence: splits add up to ", total, ", the axis has ", dim);
      }
    } else {
      sizes.assign(static_cast<size_t>(dim), 1);
      drop_axis = !keepdims_;
    }
    const Shape& s = x.shape();
    const int64_t outer = num_elements(Shape(s.begin(), s.begin() + axis));
    const int64_t inner = num_elements(Shape(s.begin() + axis + 1, s.end()));
    std::vector<Tensor> items;
    int64_t start = 0;
    for (int64_t size : sizes) {
      Shape out_shape = s;
      out_shape[axis] = size;
      Tensor y = Tensor::empty(x.dtype(), out_shape, ctx.allocator());
      strided_copy(x, y, StridedView{{outer, size, inner}, {dim * inner, inner, 1}, start * inner}, ctx.pool());
      start += size;
      if (drop_axis) {
        out_shape.erase(out_shape.begin() + axis);
        y = y.reshaped(out_shape);
      }
      items.push_back(std::move(y));
    }
    ctx.set_output(0, make_sequence(x.dtype(), std::move(items)));
  }

 private:
  int64_t axis_;
  bool keepdims_;
};

class ConcatFromSequence : public OpKernel {
 public:
  explicit ConcatFromSequence(const KernelInit& init)
      : axis_(init.attrs().get_int("axis")), new_axis_(init.attrs().get_int("new_axis", 0) != 0) {}

  void compute(KernelContext& ctx) override {
    const auto& items = sequence_items(ctx.required(0));
    ONNXGEN_CHECK(!items.empty(), "ConcatFromSequence on an empty sequence");
    std::vector<Tensor> parts;
    if (new_axis_) {
      // Stacking: each element gains a unit axis (in [0, rank], counted from the back when negative).
      const int64_t axis = normalize_axis(axis_, static_cast<int64_t>(items[0].rank()) + 1);
      for (const Tensor& t : items) {
        Shape shape = t.shape();
        shape.insert(shape.begin() + axis, 1);
        parts.push_back(t.reshaped(shape));
      }
    }
    const std::vector<Tensor>& inputs = new_axis_ ? parts : items;
    std::vector<const Tensor*> refs;
    for (const Tensor& t : inputs) refs.push_back(&t);
    ctx.set_output(0, concat_tensors(refs, axis_, ctx.pool(), ctx.allocator()));
  }

 private:
  int64_t axis_;
  bool new_axis_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "SplitToSequence", 11, ONNXGEN_LATEST, SplitToSequence);
ONNXGEN_REGISTER_KERNEL("", "ConcatFromSequence", 11, ONNXGEN_LATEST, ConcatFromSequence);

}  // namespace onnxgen
