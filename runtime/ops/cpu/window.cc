// Spectral window generators (HannWindow, HammingWindow, BlackmanWindow) and
// MelWeightMatrix, each with an output_datatype attribute.
#include <cmath>
#include <numbers>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/scalar_input.h"

namespace onnxgen {
namespace {

DataType output_type(const KernelInit& init) {
  const auto t = static_cast<DataType>(init.attrs().get_int("output_datatype", 1));
  ONNXGEN_CHECK(is_float(t) || is_integer(t), "unsupported output_datatype ", to_string(t));
  return t;
}

void fill(Tensor& y, const std::vector<double>& values) {
  dispatch_numeric(y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* out = y.data<T>();
    for (size_t i = 0; i < values.size(); ++i) out[i] = T(static_cast<compute_t<T>>(values[i]));
  });
}

// Sum of cosines: a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N).
class CosineWindow : public OpKernel {
 public:
  CosineWindow(const KernelInit& init, double a0, double a1, double a2)
      : type_(output_type(init)), periodic_(init.attrs().get_int("periodic", 1) != 0), a0_(a0), a1_(a1), a2_(a2) {}

  void compute(KernelContext& ctx) override {
    const int64_t size = int_scalar(ctx.required(0), "size");
    ONNXGEN_CHECK(size >= 0, "size must be non-negative, got ", size);
    const double denom = static_cast<double>(periodic_ ? size : size - 1);
    std::vector<double> v(static_cast<size_t>(size));
    for (int64_t i = 0; i < size; ++i) {
      const double t = denom > 0 ? 2 * std::numbers::pi * static_cast<double>(i) / denom : 0;
      v[i] = a0_ - a1_ * std::cos(t) + a2_ * std::cos(2 * t);
    }
    fill(ctx.allocate(0, type_, {size}), v);
  }

 private:
  DataType type_;
  bool periodic_;
  double a0_, a1_, a2_;
};

class HannWindow : public CosineWindow {
 public:
  explicit HannWindow(const KernelInit& init) : CosineWindow(init, 0.5, 0.5, 0) {}
};

class HammingWindow : public CosineWindow {
 public:
  explicit HammingWindow(const KernelInit& init) : CosineWindow(init, 25.0 / 46, 21.0 / 46, 0) {}
};

class BlackmanWindow : public CosineWindow {
 public:
  explicit BlackmanWindow(const KernelInit& init) : CosineWindow(init, 0.42, 0.5, 0.08) {}
};

// Triangular filters evenly spaced on the mel scale, as [dft_length / 2 + 1, num_mel_bins].
class MelWeightMatrix : public OpKernel {
 public:
  explicit MelWeightMatrix(const KernelInit& init) : type_(output_type(init)) {}

  void compute(KernelContext& ctx) override {
    const int64_t mels = int_scalar(ctx.required(0), "num_mel_bins");
    const int64_t dft_length = int_scalar(ctx.required(1), "dft_length");
    const int64_t rate = int_scalar(ctx.required(2), "sample_rate");
    const double lower = ctx.required(3).to_double(0), upper = ctx.required(4).to_double(0);
    ONNXGEN_CHECK(mels > 0 && dft_length > 0 && rate > 0, "num_mel_bins, dft_length and sample_rate must be positive");
    ONNXGEN_CHECK(lower >= 0 && upper > lower, "need 0 <= lower_edge_hertz < upper_edge_hertz");
    const int64_t spectrum = dft_length / 2 + 1;
    auto to_mel = [](double hz) { return 2595 * std::log10(1 + hz / 700); };
    const double low_mel = to_mel(lower), high_mel = to_mel(upper);
    const double step = (high_mel - low_mel) / static_cast<double>(mels + 2);
    std::vector<int64_t> edges(static_cast<size_t>(mels + 2));
    for (int64_t i = 0; i < mels + 2; ++i) {
      const double hz = 700 * (std::pow(10.0, (static_cast<double>(i) * step + low_mel) / 2595) - 1);
      edges[i] = static_cast<int64_t>(std::floor(static_cast<double>(dft_length + 1) * hz / static_cast<double>(rate)));
      ONNXGEN_CHECK(edges[i] >= 0 && edges[i] < spectrum, "mel edge bin ", edges[i], " outside the spectrum");
    }
    std::vector<double> w(static_cast<size_t>(spectrum * mels), 0.0);
    for (int64_t m = 0; m < mels; ++m) {
      const int64_t lo = edges[m], center = edges[m + 1], hi = edges[m + 2];
      if (center == lo) w[center * mels + m] = 1;
      else
        for (int64_t j = lo; j <= center; ++j)
          w[j * mels + m] = static_cast<double>(j - lo) / static_cast<double>(center - lo);
      for (int64_t j = center; j < hi; ++j) w[j * mels + m] = static_cast<double>(hi - j) / static_cast<double>(hi - center);
    }
    fill(ctx.allocate(0, type_, {spectrum, mels}), w);
  }

 private:
  DataType type_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "HannWindow", 17, ONNXGEN_LATEST, HannWindow);
ONNXGEN_REGISTER_KERNEL("", "HammingWindow", 17, ONNXGEN_LATEST, HammingWindow);
ONNXGEN_REGISTER_KERNEL("", "BlackmanWindow", 17, ONNXGEN_LATEST, BlackmanWindow);
ONNXGEN_REGISTER_KERNEL("", "MelWeightMatrix", 17, ONNXGEN_LATEST, MelWeightMatrix);

}  // namespace onnxgen
