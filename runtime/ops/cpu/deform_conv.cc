// DeformConv (opset 19), 2-D: a grouped convolution whose every tap samples X at its regular
// position plus a learned (dy, dx) offset, bilinearly with zeros outside the image, optionally
// scaled by a mask. Offsets and masks come per offset group of input channels.
#include <cmath>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class DeformConv : public OpKernel {
 public:
  explicit DeformConv(const KernelInit& init) {
    const AttributeMap& a = init.attrs();
    dilations_ = a.get_ints("dilations", {1, 1});
    strides_ = a.get_ints("strides", {1, 1});
    pads_ = a.get_ints("pads", {0, 0, 0, 0});
    group_ = a.get_int("group", 1);
    offset_group_ = a.get_int("offset_group", 1);
    ONNXGEN_CHECK(dilations_.size() == 2 && strides_.size() == 2 && pads_.size() == 4,
                  "only 2-D DeformConv is supported (dilations, strides: 2 values; pads: 4)");
    ONNXGEN_CHECK(group_ >= 1 && offset_group_ >= 1, "group and offset_group must be positive");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& w = ctx.required(1);
    const Tensor& offset = ctx.required(2);
    const Tensor* bias = ctx.input(3);
    const Tensor* mask = ctx.input(4);
    ONNXGEN_CHECK(x.rank() == 4 && w.rank() == 4 && offset.rank() == 4, "only 2-D DeformConv is supported: X ",
                  x.describe(), ", W ", w.describe(), ", offset ", offset.describe());
    const int64_t n = x.dim(0), ic = x.dim(1), ih = x.dim(2), iw = x.dim(3);
    const int64_t oc = w.dim(0), icg = w.dim(1), kh = w.dim(2), kw = w.dim(3), oh = offset.dim(2), ow = offset.dim(3);
    const int64_t taps = kh * kw;
    ONNXGEN_CHECK(icg * group_ == ic && oc % group_ == 0, "W ", w.describe(), " does not fit X ", x.describe(),
                  " with group ", group_);
    ONNXGEN_CHECK(ic % offset_group_ == 0, "input channels ", ic, " do not divide into offset_group ", offset_group_);
    ONNXGEN_CHECK(offset.dim(0) == n && offset.dim(1) == offset_group_ * 2 * taps, "offset must be [", n, ", ",
                  offset_group_ * 2 * taps, ", oH, oW], got ", offset.describe());
    ONNXGEN_CHECK(oh == (ih + pads_[0] + pads_[2] - (kh - 1) * dilations_[0] - 1) / strides_[0] + 1 &&
                      ow == (iw + pads_[1] + pads_[3] - (kw - 1) * dilations_[1] - 1) / strides_[1] + 1,
                  "offset's spatial dims ", offset.describe(), " do not match the convolution's output");
    ONNXGEN_CHECK(!bias || (bias->rank() == 1 && bias->dim(0) == oc), "B must be [", oc, "]");
    ONNXGEN_CHECK(!mask || mask->shape() == Shape({n, offset_group_ * taps, oh, ow}), "mask must be [", n, ", ",
                  offset_group_ * taps, ", ", oh, ", ", ow, "]");
    for (const Tensor* t : {&w, &offset, bias, mask})
      ONNXGEN_CHECK(!t || t->dtype() == x.dtype(), "all inputs must be ", to_string(x.dtype()), ", got ", t->describe());
    Tensor& y = ctx.allocate(0, x.dtype(), {n, oc, oh, ow});
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      auto at = [](const T* p, int64_t i) { return static_cast<double>(static_cast<C>(p[i])); };
      const T *xs = x.data<T>(), *ws = w.data<T>(), *off = offset.data<T>();
      const T* ms = mask ? mask->data<T>() : nullptr;
      const int64_t ocg = oc / group_, ic_per_offset = ic / offset_group_;
      // The sampled input [ic * taps] of one output position, shared by every output channel.
      std::vector<double> cols(static_cast<size_t>(ic * taps));
      for (int64_t b = 0; b < n; ++b)
        for (int64_t i = 0; i < oh; ++i)
          for (int64_t j = 0; j < ow; ++j) {
            for (int64_t c = 0; c < ic; ++c) {
              const int64_t og = c / ic_per_offset;
              const T* plane = xs + (b * ic + c) * ih * iw;
              for (int64_t t = 0; t < taps; ++t) {
                const int64_t ki = t / kw, kj = t % kw;
                const int64_t base = (b * offset_group_ + og) * 2 * taps + 2 * t;
                const double py = static_cast<double>(i * strides_[0] - pads_[0] + ki * dilations_[0]) +
                                  at(off, (base * oh + i) * ow + j);
                const double px = static_cast<double>(j * strides_[1] - pads_[1] + kj * dilations_[1]) +
                                  at(off, ((base + 1) * oh + i) * ow + j);
                double v = bilinear(plane, ih, iw, py, px, at);
                if (ms) v *= at(ms, (((b * offset_group_ + og) * taps + t) * oh + i) * ow + j);
                cols[static_cast<size_t>(c * taps + t)] = v;
              }
            }
            for (int64_t o = 0; o < oc; ++o) {
              const int64_t g = o / ocg;
              double acc = bias ? at(bias->data<T>(), o) : 0;
              for (int64_t c = 0; c < icg; ++c)
                for (int64_t t = 0; t < taps; ++t)
                  acc += at(ws, (o * icg + c) * taps + t) * cols[static_cast<size_t>((g * icg + c) * taps + t)];
              y.data<T>()[((b * oc + o) * oh + i) * ow + j] = T(static_cast<C>(acc));
            }
          }
    });
  }

 private:
  // X at the real position (py, px); taps outside the image read 0.
  template <class T, class Read>
  static double bilinear(const T* plane, int64_t h, int64_t w, double py, double px, Read at) {
    const double fy = std::floor(py), fx = std::floor(px);
    const int64_t y0 = static_cast<int64_t>(fy), x0 = static_cast<int64_t>(fx);
    const double dy = py - fy, dx = px - fx;
    auto pixel = [&](int64_t r, int64_t c) { return r < 0 || r >= h || c < 0 || c >= w ? 0.0 : at(plane, r * w + c); };
    return (1 - dy) * ((1 - dx) * pixel(y0, x0) + dx * pixel(y0, x0 + 1)) +
           dy * ((1 - dx) * pixel(y0 + 1, x0) + dx * pixel(y0 + 1, x0 + 1));
  }

  std::vector<int64_t> dilations_, strides_, pads_;
  int64_t group_ = 1, offset_group_ = 1;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "DeformConv", 19, ONNXGEN_LATEST, DeformConv);

}  // namespace onnxgen
