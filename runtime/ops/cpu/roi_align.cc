// RoiAlign: average (or max) of bilinear samples on a regular grid inside each bin of each
// region of interest.
#include <cmath>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class RoiAlign : public OpKernel {
 public:
  explicit RoiAlign(const KernelInit& init) {
    const AttributeMap& a = init.attrs();
    const std::string mode = a.get_string("mode", "avg");
    ONNXGEN_CHECK(mode == "avg" || mode == "max", "unsupported mode '", mode, "'");
    max_ = mode == "max";
    out_h_ = a.get_int("output_height", 1);
    out_w_ = a.get_int("output_width", 1);
    sampling_ = a.get_int("sampling_ratio", 0);
    scale_ = a.get_float("spatial_scale", 1.0f);
    // RoiAlign-10 had no half-pixel offset; 16 made it the default.
    const std::string transform =
        a.get_string("coordinate_transformation_mode", init.opset >= 16 ? "half_pixel" : "output_half_pixel");
    ONNXGEN_CHECK(transform == "half_pixel" || transform == "output_half_pixel",
                  "unsupported coordinate_transformation_mode '", transform, "'");
    half_pixel_ = transform == "half_pixel";
    ONNXGEN_CHECK(out_h_ > 0 && out_w_ > 0 && sampling_ >= 0, "output sizes must be positive, sampling_ratio >= 0");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& rois = ctx.required(1);
    const Tensor& batch_idx = ctx.required(2);
    ONNXGEN_CHECK(x.rank() == 4, "X must be [N, C, H, W], got ", x.describe());
    ONNXGEN_CHECK(rois.rank() == 2 && rois.dim(1) == 4 && rois.dtype() == x.dtype(),
                  "rois must be [num_rois, 4] of X's type, got ", rois.describe());
    ONNXGEN_CHECK(batch_idx.rank() == 1 && batch_idx.dim(0) == rois.dim(0) && is_integer(batch_idx.dtype()),
                  "batch_indices must be integer [", rois.dim(0), "], got ", batch_idx.describe());
    const int64_t num = rois.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
    ONNXGEN_CHECK(h > 0 && w > 0, "cannot pool an empty image ", x.describe());
    Tensor& y = ctx.allocate(0, x.dtype(), {num, c, out_h_, out_w_});
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      for (int64_t r = 0; r < num; ++r) {
        const int64_t b = batch_idx.to_int64(r);
        ONNXGEN_CHECK(b >= 0 && b < x.dim(0), "batch index ", b, " outside [0, ", x.dim(0), ")");
        const double offset = half_pixel_ ? 0.5 : 0;
        const double x1 = rois.to_double(r * 4) * scale_ - offset, y1 = rois.to_double(r * 4 + 1) * scale_ - offset;
        const double x2 = rois.to_double(r * 4 + 2) * scale_ - offset, y2 = rois.to_double(r * 4 + 3) * scale_ - offset;
        double rw = x2 - x1, rh = y2 - y1;
        if (!half_pixel_) {
          rw = std::max(rw, 1.0);
          rh = std::max(rh, 1.0);
        }
        const double bin_h = rh / static_cast<double>(out_h_), bin_w = rw / static_cast<double>(out_w_);
        const int64_t grid_h = sampling_ > 0 ? sampling_ : static_cast<int64_t>(std::ceil(rh / static_cast<double>(out_h_)));
        const int64_t grid_w = sampling_ > 0 ? sampling_ : static_cast<int64_t>(std::ceil(rw / static_cast<double>(out_w_)));
        const double count = static_cast<double>(std::max<int64_t>(grid_h * grid_w, 1));
        for (int64_t ch = 0; ch < c; ++ch) {
          const T* plane = src + (b * c + ch) * h * w;
          auto at = [&](int64_t yy, int64_t xx) { return static_cast<double>(static_cast<compute_t<T>>(plane[yy * w + xx])); };
          for (int64_t ph = 0; ph < out_h_; ++ph)
            for (int64_t pw = 0; pw < out_w_; ++pw) {
              double acc = max_ ? -INFINITY : 0;
              bool any = false;
              for (int64_t iy = 0; iy < grid_h; ++iy)
                for (int64_t ix = 0; ix < grid_w; ++ix) {
                  double yy = y1 + static_cast<double>(ph) * bin_h + (static_cast<double>(iy) + 0.5) * bin_h / static_cast<double>(grid_h);
                  double xx = x1 + static_cast<double>(pw) * bin_w + (static_cast<double>(ix) + 0.5) * bin_w / static_cast<double>(grid_w);
                  double v = 0;
                  if (!(yy < -1.0 || yy > static_cast<double>(h) || xx < -1.0 || xx > static_cast<double>(w))) {
                    yy = std::max(yy, 0.0);
                    xx = std::max(xx, 0.0);
                    int64_t ylo = static_cast<int64_t>(yy), xlo = static_cast<int64_t>(xx), yhi, xhi;
                    if (ylo >= h - 1) yhi = ylo = h - 1, yy = static_cast<double>(ylo);
                    else yhi = ylo + 1;
                    if (xlo >= w - 1) xhi = xlo = w - 1, xx = static_cast<double>(xlo);
                    else xhi = xlo + 1;
                    const double ly = yy - static_cast<double>(ylo), lx = xx - static_cast<double>(xlo);
                    const double hy = 1 - ly, hx = 1 - lx;
                    const double terms[4] = {hy * hx * at(ylo, xlo), hy * lx * at(ylo, xhi), ly * hx * at(yhi, xlo),
                                             ly * lx * at(yhi, xhi)};
                    v = max_ ? std::max({terms[0], terms[1], terms[2], terms[3]}) : terms[0] + terms[1] + terms[2] + terms[3];
                  }
                  acc = max_ ? std::max(acc, v) : acc + v;
                  any = true;
                }
              const double result = max_ ? (any ? acc : 0) : acc / count;
              dst[((r * c + ch) * out_h_ + ph) * out_w_ + pw] = T(static_cast<compute_t<T>>(result));
            }
        }
      }
    });
  }

 private:
  bool max_ = false;
  int64_t out_h_ = 1, out_w_ = 1, sampling_ = 0;
  float scale_ = 1;
  bool half_pixel_ = true;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "RoiAlign", 10, ONNXGEN_LATEST, RoiAlign);

}  // namespace onnxgen
