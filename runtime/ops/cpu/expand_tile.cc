// Expand and Tile: both read the input through a view that repeats it (stride 0), then copy.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

class Expand : public OpKernel {
 public:
  explicit Expand(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& shape = ctx.required(1);
    ONNXGEN_CHECK(shape.rank() == 1, "Expand: shape must be 1-D, got ", shape.describe());
    const Shape out_shape = broadcast_shapes(x.shape(), shape.to_shape());
    const Shape in_strides = strides_of(x.shape());
    const size_t lead = out_shape.size() - x.rank();
    StridedView view{out_shape, Shape(out_shape.size(), 0), 0};
    for (size_t d = 0; d < x.rank(); ++d)
      if (x.dim(d) != 1) view.strides[lead + d] = in_strides[d];
    Tensor& y = ctx.allocate(0, x.dtype(), out_shape);
    strided_copy(x, y, view, ctx.pool());
  }
};

class Tile : public OpKernel {
 public:
  explicit Tile(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& repeats_t = ctx.required(1);
    ONNXGEN_CHECK(repeats_t.rank() == 1, "Tile: repeats must be 1-D, got ", repeats_t.describe());
    const std::vector<int64_t> repeats = repeats_t.to_int64_vector();
    ONNXGEN_CHECK(repeats.size() == x.rank(), "Tile: ", repeats.size(), " repeats for rank ", x.rank());
    const Shape in_strides = strides_of(x.shape());
    // Output dim d is (repeat, original) flattened: the repeat index moves nothing in the source.
    StridedView view;
    Shape out_shape;
    for (size_t d = 0; d < x.rank(); ++d) {
      ONNXGEN_CHECK(repeats[d] >= 0, "Tile: negative repeat ", repeats[d]);
      view.shape.insert(view.shape.end(), {repeats[d], x.dim(d)});
      view.strides.insert(view.strides.end(), {0, in_strides[d]});
      int64_t n = 0;
      ONNXGEN_CHECK(!__builtin_mul_overflow(repeats[d], x.dim(d), &n), "Tile: repeat ", repeats[d], " is too large");
      out_shape.push_back(n);
    }
    Tensor& y = ctx.allocate(0, x.dtype(), out_shape);
    strided_copy(x, y, view, ctx.pool());
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Expand", 8, ONNXGEN_LATEST, Expand);
ONNXGEN_REGISTER_KERNEL("", "Tile", 6, ONNXGEN_LATEST, Tile);

}  // namespace onnxgen
