// Split: each output is a slab of the input along one axis.
#include <numeric>

#include "runtime/core/allocator.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

class Split : public OpKernel {
 public:
  // The sizes are an attribute before opset 13 and an input from 13; opset 18 adds num_outputs.
  explicit Split(const KernelInit& init)
      : axis_(init.attrs().get_int("axis", 0)),
        split_attr_(init.opset < 13 ? init.attrs().find_ints("split") : std::nullopt),
        split_from_input_(init.opset >= 13 || init.opset == 1),
        num_outputs_(init.opset >= 18 ? init.attrs().get_int("num_outputs", 0) : 0) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const int64_t axis = normalize_axis(axis_, static_cast<int64_t>(x.rank()));
    const int64_t dim = x.dim(axis);
    const int64_t n = static_cast<int64_t>(ctx.num_outputs());
    Shape sizes;
    if (split_attr_)
      sizes = Shape(*split_attr_);
    else if (split_from_input_ && ctx.input(1))
      sizes = ctx.input(1)->to_shape();
    if (!sizes.empty()) {
      ONNXGEN_CHECK(static_cast<int64_t>(sizes.size()) == n, "Split: ", sizes.size(), " sizes for ", n, " outputs");
      for (int64_t s : sizes) ONNXGEN_CHECK(s >= 0 && s <= dim, "Split: size ", s, " does not fit axis size ", dim);
      ONNXGEN_CHECK(std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) == dim, "Split: sizes do not add up to ",
                    dim);
    } else if (num_outputs_ > 0) {
      ONNXGEN_CHECK(num_outputs_ == n, "Split: num_outputs is ", num_outputs_, " but the node has ", n, " outputs");
      const int64_t chunk = (dim + n - 1) / n;
      for (int64_t i = 0, left = dim; i < n; ++i, left -= chunk) sizes.push_back(std::clamp<int64_t>(left, 0, chunk));
    } else {
      ONNXGEN_CHECK(n > 0 && dim % n == 0, "Split: axis size ", dim, " does not split evenly into ", n, " outputs");
      sizes.assign(static_cast<size_t>(n), dim / n);
    }
    const Shape& s = x.shape();
    const int64_t outer = num_elements(Shape(s.begin(), s.begin() + axis));
    const int64_t inner = num_elements(Shape(s.begin() + axis + 1, s.end()));
    int64_t start = 0;
    for (int64_t i = 0; i < n; ++i) {
      Shape out_shape = s;
      out_shape[axis] = sizes[i];
      StridedView view{{outer, sizes[i], inner}, {dim * inner, inner, 1}, start * inner};
      start += sizes[i];
      if (!ctx.output_wanted(i)) continue;
      // When each output is one contiguous slab (nothing outside the split axis but rows of it:
      // the fused q, k and v of one decoded token), it is a view of the input's storage, no copy,
      // where it starts on the alignment fresh storage has (kernels may count on it).
      if (const size_t at = x.byte_offset() + static_cast<size_t>(view.offset) * element_size(x.dtype());
          outer == 1 && x.dtype() != DataType::kString && at % kCpuAlignment == 0) {
        ctx.set_output(i, Tensor(x.dtype(), out_shape, x.buffer(), at));
        continue;
      }
      Tensor& y = ctx.allocate(i, x.dtype(), out_shape);
      strided_copy(x, y, view, ctx.pool());
    }
  }

 private:
  int64_t axis_;
  std::optional<std::vector<int64_t>> split_attr_;
  bool split_from_input_;
  int64_t num_outputs_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Split", 1, ONNXGEN_LATEST, Split);

}  // namespace onnxgen
