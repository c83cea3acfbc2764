// DFT (axis an attribute in 17-19, an input from 20) and STFT. Transforms are direct O(n^2) sums with a
// precomputed twiddle table, accumulated in double.
#include <cmath>
#include <numbers>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/scalar_input.h"

namespace onnxgen {
namespace {

// Transforms `n_in` complex samples (re, im at stride `in_stride` pairs) into `n_out` bins of a
// length-`n` DFT; samples beyond n_in are zeros.
struct DftPlan {
  int64_t n = 0;
  bool inverse = false;
  std::vector<double> cos_t, sin_t;

  DftPlan(int64_t length, bool inv) : n(length), inverse(inv) {
    cos_t.resize(static_cast<size_t>(n));
    sin_t.resize(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) {
      const double angle = 2 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n);
      cos_t[k] = std::cos(angle);
      sin_t[k] = (inverse ? 1 : -1) * std::sin(angle);
    }
  }

  // out[k] = sum_j in[j] * e^{-+2 pi i jk/n}, scaled by 1/n when inverse.
  void run(const double* re, const double* im, int64_t n_in, int64_t n_out, double* out_re, double* out_im) const {
    const int64_t count = std::min(n_in, n);
    for (int64_t k = 0; k < n_out; ++k) {
      double sr = 0, si = 0;
      int64_t phase = 0;
      for (int64_t j = 0; j < count; ++j) {
        sr += re[j] * cos_t[phase] - im[j] * sin_t[phase];
        si += re[j] * sin_t[phase] + im[j] * cos_t[phase];
        phase += k;
        if (phase >= n) phase %= n;
      }
      const double scale = inverse ? 1.0 / static_cast<double>(n) : 1.0;
      out_re[k] = sr * scale;
      out_im[k] = si * scale;
    }
  }
};

void check_signal(const Tensor& x) {
  ONNXGEN_CHECK(x.rank() >= 2 && (x.shape().back() == 1 || x.shape().back() == 2),
                "signal must end in a dim of 1 (real) or 2 (complex), got ", x.describe());
}

class Dft : public OpKernel {
 public:
  explicit Dft(const KernelInit& init)
      : axis_input_(init.opset >= 20),
        axis_(init.attrs().get_int("axis", 1)),
        inverse_(init.attrs().get_int("inverse", 0) != 0),
        onesided_(init.attrs().get_int("onesided", 0) != 0) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    check_signal(x);
    const int64_t rank = static_cast<int64_t>(x.rank());
    const int64_t axis =
        normalize_axis(axis_input_ ? (ctx.input(2) ? int_scalar(*ctx.input(2), "axis") : -2) : axis_, rank);
    ONNXGEN_CHECK(axis < rank - 1, "axis must not be the trailing (real, imaginary) dim");
    const int64_t in_len = x.dim(axis);
    const int64_t n = ctx.input(1) ? int_scalar(*ctx.input(1), "dft_length") : in_len;
    ONNXGEN_CHECK(n > 0, "dft_length must be positive, got ", n);
    const int64_t bins = onesided_ ? n / 2 + 1 : n;
    Shape out_shape = x.shape();
    out_shape[axis] = bins;
    out_shape.back() = 2;
    Tensor& y = ctx.allocate(0, x.dtype(), out_shape);
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= x.dim(i);
    for (int64_t i = axis + 1; i < rank - 1; ++i) inner *= x.dim(i);
    const int64_t comps = x.shape().back();
    const DftPlan plan(n, inverse_);
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      std::vector<double> re(static_cast<size_t>(in_len)), im(static_cast<size_t>(in_len));
      std::vector<double> ore(static_cast<size_t>(bins)), oim(static_cast<size_t>(bins));
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          for (int64_t j = 0; j < in_len; ++j) {
            const int64_t at = ((o * in_len + j) * inner + i) * comps;
            re[j] = static_cast<double>(static_cast<compute_t<T>>(src[at]));
            im[j] = comps == 2 ? static_cast<double>(static_cast<compute_t<T>>(src[at + 1])) : 0.0;
          }
          plan.run(re.data(), im.data(), in_len, bins, ore.data(), oim.data());
          for (int64_t k = 0; k < bins; ++k) {
            const int64_t at = ((o * bins + k) * inner + i) * 2;
            dst[at] = T(static_cast<compute_t<T>>(ore[k]));
            dst[at + 1] = T(static_cast<compute_t<T>>(oim[k]));
          }
        }
    });
  }

 private:
  bool axis_input_;
  int64_t axis_;
  bool inverse_;
  bool onesided_;
};

class Stft : public OpKernel {
 public:
  explicit Stft(const KernelInit& init) : onesided_(init.attrs().get_int("onesided", 1) != 0) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    check_signal(x);
    ONNXGEN_CHECK(x.rank() == 3, "signal must be [batch, length, 1 or 2], got ", x.describe());
    const int64_t step = int_scalar(ctx.required(1), "frame_step");
    const Tensor* window = ctx.input(2);
    int64_t frame = ctx.input(3) ? int_scalar(*ctx.input(3), "frame_length") : -1;
    if (window) {
      ONNXGEN_CHECK(window->rank() == 1 && window->dtype() == x.dtype(), "window must be a 1-D ",
                    to_string(x.dtype()), " tensor, got ", window->describe());
      ONNXGEN_CHECK(frame < 0 || frame == window->dim(0), "frame_length ", frame, " differs from the window length ",
                    window->dim(0));
      frame = window->dim(0);
    }
    ONNXGEN_CHECK(frame > 0, "frame_length or a window is required");
    const int64_t batch = x.dim(0), len = x.dim(1), comps = x.dim(2);
    ONNXGEN_CHECK(step > 0 && frame <= len, "frame_step must be positive and frames must fit the signal");
    const int64_t frames = (len - frame) / step + 1;
    const int64_t bins = onesided_ ? frame / 2 + 1 : frame;
    Tensor& y = ctx.allocate(0, x.dtype(), {batch, frames, bins, 2});
    const DftPlan plan(frame, false);
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      auto value = [](T v) { return static_cast<double>(static_cast<compute_t<T>>(v)); };
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      std::vector<double> re(static_cast<size_t>(frame)), im(static_cast<size_t>(frame));
      std::vector<double> ore(static_cast<size_t>(bins)), oim(static_cast<size_t>(bins));
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t f = 0; f < frames; ++f) {
          for (int64_t j = 0; j < frame; ++j) {
            const int64_t at = (b * len + f * step + j) * comps;
            const double w = window ? value(window->data<T>()[j]) : 1.0;
            re[j] = value(src[at]) * w;
            im[j] = comps == 2 ? value(src[at + 1]) * w : 0.0;
          }
          plan.run(re.data(), im.data(), frame, bins, ore.data(), oim.data());
          for (int64_t k = 0; k < bins; ++k) {
            T* out = dst + ((b * frames + f) * bins + k) * 2;
            out[0] = T(static_cast<compute_t<T>>(ore[k]));
            out[1] = T(static_cast<compute_t<T>>(oim[k]));
          }
        }
    });
  }

 private:
  bool onesided_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "DFT", 17, ONNXGEN_LATEST, Dft);
ONNXGEN_REGISTER_KERNEL("", "STFT", 17, ONNXGEN_LATEST, Stft);

}  // namespace onnxgen
