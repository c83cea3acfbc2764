// ConvInteger and QLinearConv. The integer products are summed exactly in double (8-bit
// operands keep every partial sum far below 2^53), reusing the im2col convolution.
#include <cmath>
#include <limits>
#include <vector>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/conv_im2col.h"

namespace onnxgen {
namespace {

bool is_8bit(DataType t) { return t == DataType::kUInt8 || t == DataType::kInt8; }

void check_8bit(const Tensor& t, const char* what) {
  ONNXGEN_CHECK(is_8bit(t.dtype()), what, " must be uint8 or int8, got ", t.describe());
}

// t - zero_point as doubles; the zero point is a scalar or, with `channels` > 0, one per
// leading-axis slice (per output channel of the weights).
std::vector<double> centered(const Tensor& t, const Tensor* zero_point, const char* what, int64_t channels = 0) {
  check_8bit(t, what);
  std::vector<double> out(static_cast<size_t>(t.numel()));
  int64_t zps = 1;
  if (zero_point) {
    ONNXGEN_CHECK(zero_point->dtype() == t.dtype(), what, " zero point is ", to_string(zero_point->dtype()),
                  ", expected ", to_string(t.dtype()));
    zps = zero_point->numel();
    ONNXGEN_CHECK(zps == 1 || (channels > 0 && zps == channels && zero_point->rank() == 1), what,
                  " zero point must be a scalar", channels > 0 ? " or one per output channel" : "", ", got ",
                  zero_point->describe());
  }
  const int64_t per_slice = zps > 1 ? t.numel() / zps : t.numel();
  for (int64_t i = 0; i < t.numel(); ++i)
    out[static_cast<size_t>(i)] = t.to_double(i) - (zero_point ? zero_point->to_double(zps > 1 ? i / per_slice : 0) : 0);
  return out;
}

// The exact integer accumulation of conv(x - x_zp, w - w_zp), as doubles shaped like Y.
std::vector<double> integer_conv(KernelContext& ctx, const ConvProblem& p, const Tensor& x, const Tensor* x_zp,
                                 const Tensor& w, const Tensor* w_zp) {
  const std::vector<double> xd = centered(x, x_zp, "input");
  const std::vector<double> wd = centered(w, w_zp, "weights", p.out_channels);
  std::vector<double> acc(static_cast<size_t>(num_elements(p.output_shape())));
  if (!acc.empty()) conv_im2col<double>(ctx.pool(), p, xd.data(), wd.data(), nullptr, acc.data());
  return acc;
}

class ConvInteger : public OpKernel {
 public:
  explicit ConvInteger(const KernelInit& init)
      : attrs_(WindowAttrs::parse(init.attrs())), group_(init.attrs().get_int("group", 1)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& w = ctx.required(1);
    const ConvProblem p = conv_problem(attrs_, group_, x.shape(), w.shape());
    const std::vector<double> acc = integer_conv(ctx, p, x, ctx.input(2), w, ctx.input(3));
    Tensor& y = ctx.allocate(0, DataType::kInt32, p.output_shape());
    int32_t* out = y.data<int32_t>();
    for (size_t i = 0; i < acc.size(); ++i) out[i] = static_cast<int32_t>(acc[i]);
  }

 private:
  WindowAttrs attrs_;
  int64_t group_;
};

class QLinearConv : public OpKernel {
 public:
  explicit QLinearConv(const KernelInit& init)
      : attrs_(WindowAttrs::parse(init.attrs())), group_(init.attrs().get_int("group", 1)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& x_scale = ctx.required(1);
    const Tensor& w = ctx.required(3);
    const Tensor& w_scale = ctx.required(4);
    const Tensor& y_scale = ctx.required(6);
    const Tensor* y_zp = ctx.input(7);
    const Tensor* bias = ctx.input(8);
    const ConvProblem p = conv_problem(attrs_, group_, x.shape(), w.shape());
    for (const Tensor* s : {&x_scale, &w_scale, &y_scale})
      ONNXGEN_CHECK(s->dtype() == DataType::kFloat, "scales must be float32, got ", s->describe());
    ONNXGEN_CHECK(x_scale.numel() == 1 && y_scale.numel() == 1, "input and output scales must be scalars");
    ONNXGEN_CHECK(w_scale.numel() == 1 || w_scale.numel() == p.out_channels,
                  "weight scale must be a scalar or one per output channel, got ", w_scale.describe());
    if (bias)
      ONNXGEN_CHECK(bias->dtype() == DataType::kInt32 && bias->rank() == 1 && bias->dim(0) == p.out_channels,
                    "bias must be int32[", p.out_channels, "], got ", bias->describe());
    const DataType out_type = y_zp ? y_zp->dtype() : x.dtype();
    ONNXGEN_CHECK(is_8bit(out_type), "output zero point must be uint8 or int8, got ", to_string(out_type));
    ONNXGEN_CHECK(!y_zp || y_zp->numel() == 1, "output zero point must be a scalar");
    const std::vector<double> acc = integer_conv(ctx, p, x, ctx.input(2), w, ctx.input(5));
    Tensor& y = ctx.allocate(0, out_type, p.output_shape());
    const int64_t plane = p.window.output_size();
    const double zp = y_zp ? y_zp->to_double(0) : 0;
    const double lo = out_type == DataType::kUInt8 ? 0 : -128, hi = out_type == DataType::kUInt8 ? 255 : 127;
    for (int64_t i = 0; i < y.numel(); ++i) {
      const int64_t m = (i / plane) % p.out_channels;
      const double ws = w_scale.to_double(w_scale.numel() == 1 ? 0 : m);
      const double sum = acc[static_cast<size_t>(i)] + (bias ? bias->to_double(m) : 0);
      // Requantize in float32 as the reference does, rounding half to even.
      const float scaled = static_cast<float>(sum) * (static_cast<float>(x_scale.to_double(0)) * static_cast<float>(ws) /
                                                      static_cast<float>(y_scale.to_double(0)));
      const double q = std::clamp(std::nearbyint(static_cast<double>(scaled)) + zp, lo, hi);
      if (out_type == DataType::kUInt8) y.data<uint8_t>()[i] = static_cast<uint8_t>(q);
      else y.data<int8_t>()[i] = static_cast<int8_t>(q);
    }
  }

 private:
  WindowAttrs attrs_;
  int64_t group_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "ConvInteger", 10, ONNXGEN_LATEST, ConvInteger);
ONNXGEN_REGISTER_KERNEL("", "QLinearConv", 10, ONNXGEN_LATEST, QLinearConv);

}  // namespace onnxgen
