// DepthToSpace and SpaceToDepth: a reshape to 6-D, a transpose, a reshape back. The middle step
// is a strided view of the input, so each is one strided copy.
#include <array>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

// Copies x viewed as `split` (a 6-D reshape of it) with axes permuted by `perm` into output 0
// of shape `out_shape`.
void permuted_copy(KernelContext& ctx, const Tensor& x, const Shape& split, const std::array<int, 6>& perm,
                   const Shape& out_shape) {
  const Shape strides = strides_of(split);
  StridedView view;
  for (int p : perm) {
    view.shape.push_back(split[p]);
    view.strides.push_back(strides[p]);
  }
  Tensor& y = ctx.allocate(0, x.dtype(), out_shape);
  strided_copy(x, y, view, ctx.pool());
}

int64_t positive_blocksize(const KernelInit& init) {
  const int64_t b = init.attrs().get_int("blocksize");
  ONNXGEN_CHECK(b >= 1, "blocksize must be positive, got ", b);
  return b;
}

const Tensor& image_input(const KernelContext& ctx) {
  const Tensor& x = ctx.required(0);
  ONNXGEN_CHECK(x.rank() == 4, "input must be 4-D [N,C,H,W], got ", x.describe());
  return x;
}

class DepthToSpace : public OpKernel {
 public:
  // Opsets before 11 know only the DCR order.
  explicit DepthToSpace(const KernelInit& init)
      : block_(positive_blocksize(init)), crd_(init.attrs().get_string("mode", "DCR") == "CRD") {
    const std::string mode = init.attrs().get_string("mode", "DCR");
    ONNXGEN_CHECK(mode == "DCR" || mode == "CRD", "DepthToSpace: unknown mode '", mode, "'");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = image_input(ctx);
    const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), b = block_;
    ONNXGEN_CHECK(c % (b * b) == 0, "DepthToSpace: channels ", c, " are not a multiple of blocksize^2 = ", b * b);
    const int64_t oc = c / (b * b);
    const Shape out_shape{n, oc, h * b, w * b};
    if (crd_)
      permuted_copy(ctx, x, {n, oc, b, b, h, w}, {0, 1, 4, 2, 5, 3}, out_shape);
    else
      permuted_copy(ctx, x, {n, b, b, oc, h, w}, {0, 3, 4, 1, 5, 2}, out_shape);
  }

 private:
  int64_t block_;
  bool crd_;
};

class SpaceToDepth : public OpKernel {
 public:
  // Opset 28 adds DepthToSpace's CRD order (channel outermost in the output's depth).
  explicit SpaceToDepth(const KernelInit& init)
      : block_(positive_blocksize(init)), crd_(init.attrs().get_string("mode", "DCR") == "CRD") {
    const std::string mode = init.attrs().get_string("mode", "DCR");
    ONNXGEN_CHECK(mode == "DCR" || mode == "CRD", "SpaceToDepth: unknown mode '", mode, "'");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = image_input(ctx);
    const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), b = block_;
    ONNXGEN_CHECK(h % b == 0 && w % b == 0, "SpaceToDepth: spatial dims ", h, "x", w,
                  " are not multiples of blocksize ", b);
    const std::array<int, 6> perm = crd_ ? std::array<int, 6>{0, 1, 3, 5, 2, 4} : std::array<int, 6>{0, 3, 5, 1, 2, 4};
    permuted_copy(ctx, x, {n, c, h / b, b, w / b, b}, perm, {n, c * b * b, h / b, w / b});
  }

 private:
  int64_t block_;
  bool crd_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "DepthToSpace", 1, ONNXGEN_LATEST, DepthToSpace);
ONNXGEN_REGISTER_KERNEL("", "SpaceToDepth", 1, ONNXGEN_LATEST, SpaceToDepth);

}  // namespace onnxgen
