// AffineGrid: the sampling grid of GridSample for a batch of 2-D ([N, 2, 3]) or 3-D ([N, 3, 4])
// affine matrices, each applied to the normalised positions (x, y[, z], 1) of the output pixels.
#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class AffineGrid : public OpKernel {
 public:
  explicit AffineGrid(const KernelInit& init) : align_corners_(init.attrs().get_int("align_corners", 0) != 0) {}

  void compute(KernelContext& ctx) override {
    const Tensor& theta = ctx.required(0);
    const std::vector<int64_t> size = ctx.required(1).to_int64_vector();
    ONNXGEN_CHECK(size.size() == 4 || size.size() == 5, "size must be [N, C, H, W] or [N, C, D, H, W], got ",
                  size.size(), " values");
    const int64_t rank = static_cast<int64_t>(size.size()) - 2;
    const int64_t n = size[0];
    ONNXGEN_CHECK(theta.rank() == 3 && theta.dim(0) == n && theta.dim(1) == rank && theta.dim(2) == rank + 1,
                  "theta must be [", n, ", ", rank, ", ", rank + 1, "] for size of rank ", size.size(), ", got ",
                  theta.describe());
    Shape grid_shape{n};
    int64_t points = 1;
    for (int64_t d = 0; d < rank; ++d) {
      ONNXGEN_CHECK(size[2 + d] >= 0, "negative size ", size[2 + d]);
      grid_shape.push_back(size[2 + d]);
      points *= size[2 + d];
    }
    grid_shape.push_back(rank);
    Tensor& grid = ctx.allocate(0, theta.dtype(), grid_shape);
    dispatch_float(theta.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* th = theta.data<T>();
      T* out = grid.data<T>();
      for (int64_t b = 0; b < n; ++b)
        for (int64_t p = 0; p < points; ++p) {
          // Homogeneous position, innermost spatial dim (x) first.
          double pos[4] = {0, 0, 0, 1};
          int64_t rest = p;
          for (int64_t d = 0; d < rank; ++d) {
            const int64_t len = size[size.size() - 1 - d];
            pos[d] = coordinate(rest % len, len);
            rest /= len;
          }
          pos[rank] = 1;
          for (int64_t r = 0; r < rank; ++r) {
            double v = 0;
            for (int64_t k = 0; k <= rank; ++k)
              v += static_cast<double>(static_cast<C>(th[(b * rank + r) * (rank + 1) + k])) * pos[k];
            out[(b * points + p) * rank + r] = T(static_cast<C>(v));
          }
        }
    });
  }

 private:
  // Position of sample i of len in [-1, 1]: corner pixels' centres at +-1 with align_corners,
  // their outer edges otherwise.
  double coordinate(int64_t i, int64_t len) const {
    const double l = static_cast<double>(len), x = static_cast<double>(i);
    if (align_corners_) return len > 1 ? -1 + 2 * x / (l - 1) : -1;
    return -1 + (2 * x + 1) / l;
  }

  bool align_corners_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "AffineGrid", 20, ONNXGEN_LATEST, AffineGrid);

}  // namespace onnxgen
