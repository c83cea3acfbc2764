// GridSample (2-D and volumetric): samples X at the normalised (x, y[, z]) positions of `grid` with
// nearest, (bi/tri)linear or cubic interpolation and zeros, border or reflection padding.
#include <array>
#include <cmath>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/cubic_kernel.h"

namespace onnxgen {
namespace {

enum class Interp { kNearest, kLinear, kCubic };
enum class Padding { kZeros, kBorder, kReflection };

// Folds x into [lo, hi] by reflecting at the bounds as often as needed.
double reflect(double x, double lo, double hi) {
  const double range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const double dx = lo - x;
    const int64_t n = static_cast<int64_t>(dx / range);
    const double r = dx - static_cast<double>(n) * range;
    return n % 2 == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const double dx = x - hi;
    const int64_t n = static_cast<int64_t>(dx / range);
    const double r = dx - static_cast<double>(n) * range;
    return n % 2 == 0 ? hi - r : lo + r;
  }
  return x;
}

class GridSample : public OpKernel {
 public:
  explicit GridSample(const KernelInit& init) {
    const AttributeMap& a = init.attrs();
    const std::string mode = a.get_string("mode", init.opset >= 20 ? "linear" : "bilinear");
    if (mode == "nearest") mode_ = Interp::kNearest;
    else if (mode == "bilinear" || mode == "linear") mode_ = Interp::kLinear;
    else if (mode == "bicubic" || mode == "cubic") mode_ = Interp::kCubic;
    else fail("unsupported mode '", mode, "'");
    const std::string padding = a.get_string("padding_mode", "zeros");
    if (padding == "zeros") padding_ = Padding::kZeros;
    else if (padding == "border") padding_ = Padding::kBorder;
    else if (padding == "reflection") padding_ = Padding::kReflection;
    else fail("unsupported padding_mode '", padding, "'");
    align_corners_ = a.get_int("align_corners", 0) != 0;
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& grid = ctx.required(1);
    ONNXGEN_CHECK(x.rank() == 4 || x.rank() == 5, "X must be [N, C, H, W] or [N, C, D, H, W], got ", x.describe());
    const size_t rank = x.rank() - 2;
    ONNXGEN_CHECK(grid.rank() == x.rank() && grid.dim(0) == x.dim(0) && grid.dim(x.rank() - 1) == static_cast<int64_t>(rank),
                  "grid must be [N, spatial..., ", rank, "] for X ", x.describe(), ", got ", grid.describe());
    const int64_t n = x.dim(0), c = x.dim(1);
    Extent in{}, out{};
    int64_t in_size = 1, out_size = 1;
    for (size_t d = 0; d < rank; ++d) {
      in[d] = x.dim(2 + d);
      out[d] = grid.dim(1 + d);
      ONNXGEN_CHECK(in[d] > 0, "cannot sample an empty image ", x.describe());
      in_size *= in[d];
      out_size *= out[d];
    }
    Shape y_shape{n, c};
    for (size_t d = 0; d < rank; ++d) y_shape.push_back(out[d]);
    Tensor& y = ctx.allocate(0, x.dtype(), y_shape);
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      dispatch_float(grid.dtype(), [&](auto gtag) {
        using G = decltype(gtag);
        const T* src = x.data<T>();
        const G* g = grid.data<G>();
        T* dst = y.data<T>();
        for (int64_t b = 0; b < n; ++b)
          for (int64_t i = 0; i < out_size; ++i) {
            // The grid lists (x, y[, z]): the innermost spatial dim first.
            Position pos{};
            for (size_t d = 0; d < rank; ++d)
              pos[rank - 1 - d] = static_cast<float>(g[(b * out_size + i) * static_cast<int64_t>(rank) + static_cast<int64_t>(d)]);
            for (int64_t ch = 0; ch < c; ++ch) {
              const T* volume = src + (b * c + ch) * in_size;
              dst[(b * c + ch) * out_size + i] = T(static_cast<compute_t<T>>(sample(volume, rank, in, pos)));
            }
          }
      });
    });
  }

 private:
  static constexpr size_t kMaxRank = 3;
  using Extent = std::array<int64_t, kMaxRank>;
  using Position = std::array<double, kMaxRank>;

  double denormalize(double v, int64_t len) const {
    return align_corners_ ? (v + 1) / 2 * static_cast<double>(len - 1) : ((v + 1) * static_cast<double>(len) - 1) / 2;
  }

  // The padded value at integer coordinates `at` (outermost dim first).
  template <class T>
  double voxel(const T* volume, size_t rank, const Extent& dims, Extent at) const {
    int64_t offset = 0;
    for (size_t d = 0; d < rank; ++d) {
      int64_t v = at[d];
      if (padding_ == Padding::kZeros) {
        if (v < 0 || v >= dims[d]) return 0;
      } else if (padding_ == Padding::kReflection) {
        const double lo = align_corners_ ? 0 : -0.5;
        v = static_cast<int64_t>(reflect(static_cast<double>(v), lo, static_cast<double>(dims[d] - 1) - lo));
      }
      offset = offset * dims[d] + std::clamp<int64_t>(v, 0, dims[d] - 1);
    }
    return static_cast<double>(static_cast<compute_t<T>>(volume[offset]));
  }

  template <class T>
  double sample(const T* volume, size_t rank, const Extent& dims, const Position& grid_pos) const {
    Position p{};
    for (size_t d = 0; d < rank; ++d) {
      p[d] = denormalize(grid_pos[d], dims[d]);
      if (mode_ == Interp::kCubic) continue;
      if (padding_ == Padding::kBorder) {
        p[d] = std::clamp(p[d], 0.0, static_cast<double>(dims[d] - 1));
      } else if (padding_ == Padding::kReflection) {
        const double lo = align_corners_ ? 0 : -0.5;
        p[d] = reflect(p[d], lo, static_cast<double>(dims[d] - 1) - lo);
      }
    }
    Extent at{};
    if (mode_ == Interp::kNearest) {
      for (size_t d = 0; d < rank; ++d) at[d] = static_cast<int64_t>(std::nearbyint(p[d]));
      return voxel(volume, rank, dims, at);
    }
    // Linear reads the 2 nearest samples per dim, cubic the 4 nearest, weighted per dim.
    const int64_t taps = mode_ == Interp::kLinear ? 2 : 4;
    std::array<std::array<double, 4>, kMaxRank> weights{};
    Extent first{};
    for (size_t d = 0; d < rank; ++d) {
      const double f = std::floor(p[d]), t = p[d] - f;
      first[d] = static_cast<int64_t>(f) - (taps == 4 ? 1 : 0);
      weights[d] = taps == 4 ? cubic_weights(t, -0.75) : std::array<double, 4>{1 - t, t, 0, 0};
    }
    int64_t corners = 1;
    for (size_t d = 0; d < rank; ++d) corners *= taps;
    double sum = 0;
    for (int64_t corner = 0; corner < corners; ++corner) {
      double weight = 1;
      int64_t rest = corner;
      for (size_t d = rank; d-- > 0;) {
        const int64_t k = rest % taps;
        rest /= taps;
        at[d] = first[d] + k;
        weight *= weights[d][static_cast<size_t>(k)];
      }
      if (weight != 0) sum += weight * voxel(volume, rank, dims, at);
    }
    return sum;
  }

  Interp mode_ = Interp::kLinear;
  Padding padding_ = Padding::kZeros;
  bool align_corners_ = false;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "GridSample", 16, ONNXGEN_LATEST, GridSample);

}  // namespace onnxgen
