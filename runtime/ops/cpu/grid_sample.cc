// GridSample (2-D): samples X at the normalised (x, y) positions of `grid` with nearest,
// bilinear or bicubic interpolation and zeros, border or reflection padding.
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
    ONNXGEN_CHECK(x.rank() == 4, "only 2-D sampling is supported: X must be [N, C, H, W], got ", x.describe());
    ONNXGEN_CHECK(grid.rank() == 4 && grid.dim(0) == x.dim(0) && grid.dim(3) == 2,
                  "grid must be [N, H_out, W_out, 2], got ", grid.describe());
    const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), ho = grid.dim(1), wo = grid.dim(2);
    ONNXGEN_CHECK(h > 0 && w > 0, "cannot sample an empty image ", x.describe());
    Tensor& y = ctx.allocate(0, x.dtype(), {n, c, ho, wo});
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      dispatch_float(grid.dtype(), [&](auto gtag) {
        using G = decltype(gtag);
        const T* src = x.data<T>();
        const G* g = grid.data<G>();
        T* dst = y.data<T>();
        for (int64_t b = 0; b < n; ++b)
          for (int64_t i = 0; i < ho * wo; ++i) {
            const double gx = static_cast<float>(g[(b * ho * wo + i) * 2]);
            const double gy = static_cast<float>(g[(b * ho * wo + i) * 2 + 1]);
            for (int64_t ch = 0; ch < c; ++ch) {
              const T* plane = src + (b * c + ch) * h * w;
              dst[(b * c + ch) * ho * wo + i] = T(static_cast<compute_t<T>>(sample(plane, h, w, gx, gy)));
            }
          }
      });
    });
  }

 private:
  double denormalize(double v, int64_t len) const {
    return align_corners_ ? (v + 1) / 2 * static_cast<double>(len - 1) : ((v + 1) * static_cast<double>(len) - 1) / 2;
  }

  template <class T>
  double pixel(const T* plane, int64_t h, int64_t w, int64_t r, int64_t col) const {
    if (padding_ == Padding::kZeros) {
      if (r < 0 || r >= h || col < 0 || col >= w) return 0;
    } else if (padding_ == Padding::kBorder) {
      r = std::clamp<int64_t>(r, 0, h - 1);
      col = std::clamp<int64_t>(col, 0, w - 1);
    } else {
      const double lo = align_corners_ ? 0 : -0.5;
      col = static_cast<int64_t>(reflect(static_cast<double>(col), lo, static_cast<double>(w - 1) - lo));
      r = static_cast<int64_t>(reflect(static_cast<double>(r), lo, static_cast<double>(h - 1) - lo));
      col = std::clamp<int64_t>(col, 0, w - 1);
      r = std::clamp<int64_t>(r, 0, h - 1);
    }
    return static_cast<double>(static_cast<compute_t<T>>(plane[r * w + col]));
  }

  template <class T>
  double sample(const T* plane, int64_t h, int64_t w, double gx, double gy) const {
    double x = denormalize(gx, w), y = denormalize(gy, h);
    if (mode_ != Interp::kCubic) {
      if (padding_ == Padding::kBorder) {
        x = std::clamp(x, 0.0, static_cast<double>(w - 1));
        y = std::clamp(y, 0.0, static_cast<double>(h - 1));
      } else if (padding_ == Padding::kReflection) {
        const double lo = align_corners_ ? 0 : -0.5;
        x = reflect(x, lo, static_cast<double>(w - 1) - lo);
        y = reflect(y, lo, static_cast<double>(h - 1) - lo);
      }
    }
    if (mode_ == Interp::kNearest)
      return pixel(plane, h, w, static_cast<int64_t>(std::nearbyint(y)), static_cast<int64_t>(std::nearbyint(x)));
    const double fx = std::floor(x), fy = std::floor(y);
    const int64_t x0 = static_cast<int64_t>(fx), y0 = static_cast<int64_t>(fy);
    if (mode_ == Interp::kLinear) {
      const double dx = x - fx, dy = y - fy;
      return (1 - dy) * ((1 - dx) * pixel(plane, h, w, y0, x0) + dx * pixel(plane, h, w, y0, x0 + 1)) +
             dy * ((1 - dx) * pixel(plane, h, w, y0 + 1, x0) + dx * pixel(plane, h, w, y0 + 1, x0 + 1));
    }
    const std::array<double, 4> wx = cubic_weights(x - fx, -0.75), wy = cubic_weights(y - fy, -0.75);
    double sum = 0;
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t j = 0; j < 4; ++j) sum += wy[i] * wx[j] * pixel(plane, h, w, y0 - 1 + i, x0 - 1 + j);
    return sum;
  }

  Interp mode_ = Interp::kLinear;
  Padding padding_ = Padding::kZeros;
  bool align_corners_ = false;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "GridSample", 16, ONNXGEN_LATEST, GridSample);

}  // namespace onnxgen
