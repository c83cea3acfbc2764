// Resize (opsets 10-18+) and Upsample (7-9). Interpolation is separable: each axis gets, per
// output index, a short list of (input index, weight) taps from its coordinate transform and
// interpolation mode, and the axes that change are resized one pass at a time.
#include <cmath>
#include <optional>
#include <type_traits>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/cubic_kernel.h"

namespace onnxgen {
namespace {

enum class Mode { kNearest, kLinear, kCubic };
enum class Transform { kHalfPixel, kHalfPixelSymmetric, kPytorchHalfPixel, kAlignCorners, kAsymmetric, kTfHalfPixelForNn, kTfCropAndResize };
// kSimple is the rule before Resize-11: floor when upsampling, ceil when downsampling.
enum class Nearest { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil, kSimple };

Mode parse_mode(const std::string& s) {
  if (s == "nearest") return Mode::kNearest;
  if (s == "linear" || s == "bilinear") return Mode::kLinear;
  if (s == "cubic") return Mode::kCubic;
  fail("unsupported mode '", s, "'");
}

Transform parse_transform(const std::string& s) {
  if (s == "half_pixel") return Transform::kHalfPixel;
  if (s == "half_pixel_symmetric") return Transform::kHalfPixelSymmetric;
  if (s == "pytorch_half_pixel") return Transform::kPytorchHalfPixel;
  if (s == "align_corners") return Transform::kAlignCorners;
  if (s == "asymmetric") return Transform::kAsymmetric;
  if (s == "tf_half_pixel_for_nn") return Transform::kTfHalfPixelForNn;
  if (s == "tf_crop_and_resize") return Transform::kTfCropAndResize;
  fail("unsupported coordinate_transformation_mode '", s, "'");
}

Nearest parse_nearest(const std::string& s) {
  if (s == "round_prefer_floor") return Nearest::kRoundPreferFloor;
  if (s == "round_prefer_ceil") return Nearest::kRoundPreferCeil;
  if (s == "floor") return Nearest::kFloor;
  if (s == "ceil") return Nearest::kCeil;
  fail("unsupported nearest_mode '", s, "'");
}

struct ResizeConfig {
  Mode mode = Mode::kNearest;
  Transform transform = Transform::kAsymmetric;
  Nearest nearest = Nearest::kSimple;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  bool antialias = false;
  double extrapolation = 0;
  std::vector<int64_t> axes;  // opset 18: the axes scales/sizes refer to
  std::string aspect_policy = "stretch";
};

// Taps of one axis in CSR form: output o reads idx/weight[begin[o] .. begin[o+1]).
struct AxisTaps {
  std::vector<int64_t> begin{0};
  std::vector<int64_t> idx;
  std::vector<double> weight;
  std::vector<bool> outside;  // tf_crop_and_resize: o maps outside the input
};

double source_coordinate(const ResizeConfig& c, double x, double scale, int64_t in, double roi_start, double roi_end) {
  const double out_len = scale * static_cast<double>(in);  // the reference uses the unrounded length
  switch (c.transform) {
    case Transform::kHalfPixel: return (x + 0.5) / scale - 0.5;
    case Transform::kHalfPixelSymmetric: {
      const double adjustment = std::floor(out_len) / out_len;
      const double center = static_cast<double>(in) / 2;
      return center * (1 - adjustment) + (x + 0.5) / scale - 0.5;
    }
    case Transform::kPytorchHalfPixel: return out_len > 1 ? (x + 0.5) / scale - 0.5 : -0.5;
    case Transform::kAlignCorners: return out_len == 1 ? 0 : x * static_cast<double>(in - 1) / (out_len - 1);
    case Transform::kAsymmetric: return x / scale;
    case Transform::kTfHalfPixelForNn: return (x + 0.5) / scale;
    case Transform::kTfCropAndResize:
      return out_len > 1 ? roi_start * static_cast<double>(in - 1) +
                               x * (roi_end - roi_start) * static_cast<double>(in - 1) / (out_len - 1)
                         : 0.5 * (roi_start + roi_end) * static_cast<double>(in - 1);
  }
  return 0;
}

int64_t nearest_index(Nearest mode, double x, double scale) {
  switch (mode) {
    case Nearest::kRoundPreferFloor: return x - std::floor(x) <= 0.5 ? static_cast<int64_t>(std::floor(x)) : static_cast<int64_t>(std::floor(x)) + 1;
    case Nearest::kRoundPreferCeil: return x - std::floor(x) < 0.5 ? static_cast<int64_t>(std::floor(x)) : static_cast<int64_t>(std::floor(x)) + 1;
    case Nearest::kFloor: return static_cast<int64_t>(std::floor(x));
    case Nearest::kCeil: return static_cast<int64_t>(std::ceil(x));
    case Nearest::kSimple: return static_cast<int64_t>(scale < 1 ? std::ceil(x) : std::floor(x));
  }
  return 0;
}

AxisTaps axis_taps(const ResizeConfig& c, int64_t in, int64_t out, double scale, double roi_start, double roi_end) {
  AxisTaps taps;
  for (int64_t o = 0; o < out; ++o) {
    const double x = source_coordinate(c, static_cast<double>(o), scale, in, roi_start, roi_end);
    const bool outside = c.transform == Transform::kTfCropAndResize && (x < 0 || x > static_cast<double>(in - 1));
    taps.outside.push_back(outside);
    std::vector<int64_t> idx;
    std::vector<double> w;
    if (c.mode == Mode::kNearest) {
      idx.push_back(nearest_index(c.nearest, x, scale));
      w.push_back(1);
    } else if (c.antialias && scale < 1) {
      // Downsampling with antialias stretches the kernel by 1/scale so every input sample
      // contributes: taps at i0 + start .. i0 - start + 1 around x = i0 + r (r in (0, 1]),
      // weighted by the kernel at (tap - x) * scale and normalised.
      double base = std::floor(x), r = x - base;
      if (r == 0) {
        base -= 1;
        r = 1;
      }
      const int64_t i0 = static_cast<int64_t>(base);
      const int64_t start = static_cast<int64_t>(std::floor((c.mode == Mode::kLinear ? -1 : -2) / scale)) + 1;
      double sum = 0;
      for (int64_t k = start; k < 2 - start; ++k) {
        const double d = (static_cast<double>(k) - r) * scale;
        const double wk = c.mode == Mode::kLinear ? std::clamp(1 - std::abs(d), 0.0, 1.0) : cubic_kernel(d, c.cubic_a);
        idx.push_back(i0 + k);
        w.push_back(wk);
        sum += wk;
      }
      for (double& v : w) v /= sum;
    } else {
      const double base = std::floor(x);
      const double r = x - base;
      const int64_t i0 = static_cast<int64_t>(base);
      if (c.mode == Mode::kLinear) {
        idx = {i0, i0 + 1};
        w = {1 - r, r};
      } else {
        idx = {i0 - 1, i0, i0 + 1, i0 + 2};
        const std::array<double, 4> cw = cubic_weights(r, c.cubic_a);
        w.assign(cw.begin(), cw.end());
      }
    }
    if (c.exclude_outside) {
      double sum = 0;
      for (size_t j = 0; j < idx.size(); ++j) {
        if (idx[j] < 0 || idx[j] >= in) w[j] = 0;
        sum += w[j];
      }
      for (double& v : w) v = sum != 0 ? v / sum : 0;
    }
    for (size_t j = 0; j < idx.size(); ++j) {
      if (w[j] == 0) continue;
      taps.idx.push_back(std::clamp<int64_t>(idx[j], 0, in - 1));
      taps.weight.push_back(w[j]);
    }
    taps.begin.push_back(static_cast<int64_t>(taps.idx.size()));
  }
  return taps;
}

class Resize : public OpKernel {
 public:
  // Resize-10 and Upsample take (X, scales); Resize-11+ takes (X, roi, scales, sizes).
  Resize(const KernelInit& init, bool legacy) : legacy_(legacy) {
    const AttributeMap& a = init.attrs();
    c_.mode = parse_mode(a.get_string("mode", "nearest"));
    if (!legacy) {
      c_.transform = parse_transform(a.get_string("coordinate_transformation_mode", "half_pixel"));
      c_.nearest = parse_nearest(a.get_string("nearest_mode", "round_prefer_floor"));
      c_.cubic_a = a.get_float("cubic_coeff_a", -0.75f);
      c_.exclude_outside = a.get_int("exclude_outside", 0) != 0;
      c_.extrapolation = a.get_float("extrapolation_value", 0);
      c_.axes = a.get_ints("axes");
      c_.aspect_policy = a.get_string("keep_aspect_ratio_policy", "stretch");
      ONNXGEN_CHECK(c_.aspect_policy == "stretch" || c_.aspect_policy == "not_larger" || c_.aspect_policy == "not_smaller",
                    "unsupported keep_aspect_ratio_policy '", c_.aspect_policy, "'");
      c_.antialias = a.get_int("antialias", 0) != 0;
    } else {
      ONNXGEN_CHECK(c_.mode != Mode::kCubic, "cubic mode needs Resize-11 or later");
    }
    if (a.has("scales")) attr_scales_ = a.get_floats("scales");  // Upsample-7
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const int64_t rank = static_cast<int64_t>(x.rank());
    ONNXGEN_CHECK(rank >= 1, "cannot resize a scalar");
    std::vector<int64_t> axes = c_.axes;
    if (axes.empty())
      for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
    for (int64_t& axis : axes) axis = normalize_axis(axis, rank);

    std::vector<double> scales(static_cast<size_t>(rank), 1.0);
    Shape out = x.shape();
    const Tensor* scales_in = legacy_ ? ctx.input(1) : ctx.input(2);
    const Tensor* sizes_in = legacy_ ? nullptr : ctx.input(3);
    if (scales_in && scales_in->numel() == 0) scales_in = nullptr;
    if (sizes_in && sizes_in->numel() == 0) sizes_in = nullptr;
    std::vector<double> given;
    if (!attr_scales_.empty()) given.assign(attr_scales_.begin(), attr_scales_.end());
    if (scales_in) {
      ONNXGEN_CHECK(scales_in->dtype() == DataType::kFloat, "scales must be float32, got ", scales_in->describe());
      for (int64_t i = 0; i < scales_in->numel(); ++i) given.push_back(scales_in->to_double(i));
    }
    if (!given.empty()) {
      ONNXGEN_CHECK(!sizes_in, "only one of scales and sizes may be given");
      ONNXGEN_CHECK(given.size() == axes.size(), "scales has ", given.size(), " values for ", axes.size(), " axes");
      for (size_t i = 0; i < axes.size(); ++i) {
        ONNXGEN_CHECK(given[i] > 0 && std::isfinite(given[i]), "scales must be positive and finite, got ", given[i]);
        scales[axes[i]] = given[i];
        out[axes[i]] = static_cast<int64_t>(std::floor(given[i] * static_cast<double>(x.dim(axes[i]))));
      }
    } else {
      ONNXGEN_CHECK(sizes_in, "one of scales and sizes is required");
      ONNXGEN_CHECK(sizes_in->dtype() == DataType::kInt64, "sizes must be int64, got ", sizes_in->describe());
      std::vector<int64_t> sizes = sizes_in->to_int64_vector();
      ONNXGEN_CHECK(sizes.size() == axes.size(), "sizes has ", sizes.size(), " values for ", axes.size(), " axes");
      std::optional<double> common;
      for (size_t i = 0; i < axes.size(); ++i) {
        ONNXGEN_CHECK(sizes[i] >= 0 && x.dim(axes[i]) > 0, "cannot resize dim ", x.dim(axes[i]), " to ", sizes[i]);
        const double s = static_cast<double>(sizes[i]) / static_cast<double>(x.dim(axes[i]));
        if (c_.aspect_policy == "not_larger") common = common ? std::min(*common, s) : s;
        if (c_.aspect_policy == "not_smaller") common = common ? std::max(*common, s) : s;
        scales[axes[i]] = s;
        out[axes[i]] = sizes[i];
      }
      if (common)
        for (int64_t axis : axes) {
          scales[axis] = *common;
          out[axis] = static_cast<int64_t>(std::round(*common * static_cast<double>(x.dim(axis))));
        }
    }

    std::vector<double> roi(2 * static_cast<size_t>(rank));
    for (int64_t i = 0; i < rank; ++i) roi[rank + i] = 1;
    if (c_.transform == Transform::kTfCropAndResize) {
      const Tensor* r = ctx.input(1);
      ONNXGEN_CHECK(r && (r->numel() == 2 * rank || r->numel() == 2 * static_cast<int64_t>(axes.size())),
                    "tf_crop_and_resize needs roi with start and end per axis");
      const bool all = r->numel() == 2 * rank;
      const size_t n = all ? static_cast<size_t>(rank) : axes.size();
      for (size_t i = 0; i < n; ++i) {
        const int64_t axis = all ? static_cast<int64_t>(i) : axes[i];
        roi[axis] = r->to_double(static_cast<int64_t>(i));
        roi[rank + axis] = r->to_double(static_cast<int64_t>(n + i));
      }
    }

    std::vector<AxisTaps> taps;
    for (int64_t i = 0; i < rank; ++i) {
      ONNXGEN_CHECK(out[i] == 0 || x.dim(i) > 0, "cannot resize an empty dim ", i, " to ", out[i]);
      taps.push_back(axis_taps(c_, x.dim(i), out[i], scales[i], roi[i], roi[rank + i]));
    }
    Tensor& y = ctx.allocate(0, x.dtype(), out);
    if (y.numel() == 0) return;
    dispatch_numeric(x.dtype(), [&](auto tag) { interpolate<decltype(tag)>(ctx, x, taps, y); });
  }

 private:
  template <class T>
  void interpolate(KernelContext& ctx, const Tensor& x, const std::vector<AxisTaps>& taps, Tensor& y) const {
    // Integer images are interpolated in float and converted once at the end.
    using C = std::conditional_t<std::is_same_v<T, double>, double, float>;
    const T* src = x.data<T>();
    std::vector<C> cur(src, src + x.numel()), next;
    Shape shape = x.shape();
    for (size_t axis = 0; axis < shape.size(); ++axis) {
      const int64_t out_len = static_cast<int64_t>(taps[axis].outside.size());
      if (is_identity(taps[axis], shape[axis])) continue;
      Shape next_shape = shape;
      next_shape[axis] = out_len;
      next.assign(static_cast<size_t>(num_elements(next_shape)), C(0));
      resize_axis(ctx.pool(), cur.data(), shape, axis, taps[axis], static_cast<C>(c_.extrapolation), next.data());
      cur.swap(next);
      shape = std::move(next_shape);
    }
    T* dst = y.data<T>();
    for (int64_t i = 0; i < y.numel(); ++i) dst[i] = T(static_cast<compute_t<T>>(cur[static_cast<size_t>(i)]));
  }

  static bool is_identity(const AxisTaps& t, int64_t in) {
    if (static_cast<int64_t>(t.outside.size()) != in) return false;
    for (int64_t q = 0; q < in; ++q)
      if (t.outside[q] || t.begin[q + 1] - t.begin[q] != 1 || t.idx[t.begin[q]] != q || t.weight[t.begin[q]] != 1)
        return false;
    return true;
  }

  // One separable pass: interpolates along `axis` of `src` (shaped `in`) into `dst`, whose
  // axis has the taps' output length. Rows of the trailing dims are contiguous, so each tap is
  // a scaled row add.
  template <class C>
  static void resize_axis(ThreadPool& pool, const C* src, const Shape& in, size_t axis, const AxisTaps& taps,
                          C extrapolation, C* dst) {
    int64_t outer = 1, inner = 1;
    for (size_t d = 0; d < axis; ++d) outer *= in[d];
    for (size_t d = axis + 1; d < in.size(); ++d) inner *= in[d];
    const int64_t n_in = in[axis], n_out = static_cast<int64_t>(taps.outside.size());
    pool.parallel_for(outer * n_out, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, inner)), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const int64_t o = r / n_out, q = r % n_out;
        C* row = dst + r * inner;
        if (taps.outside[q]) {
          std::fill(row, row + inner, extrapolation);
          continue;
        }
        for (int64_t j = taps.begin[q]; j < taps.begin[q + 1]; ++j) {
          const C w = static_cast<C>(taps.weight[j]);
          const C* from = src + (o * n_in + taps.idx[j]) * inner;
          for (int64_t k = 0; k < inner; ++k) row[k] += w * from[k];
        }
      }
    });
  }

  bool legacy_;
  ResizeConfig c_;
  std::vector<float> attr_scales_;
};

class LegacyResize : public Resize {
 public:
  explicit LegacyResize(const KernelInit& init) : Resize(init, true) {}
};

class CurrentResize : public Resize {
 public:
  explicit CurrentResize(const KernelInit& init) : Resize(init, false) {}
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Upsample", 7, 9, LegacyResize);
ONNXGEN_REGISTER_KERNEL("", "Resize", 10, 10, LegacyResize);
ONNXGEN_REGISTER_KERNEL("", "Resize", 11, ONNXGEN_LATEST, CurrentResize);

}  // namespace onnxgen
