// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear: affine maps between real values
// and small integers, y = saturate(round(x / scale) + zero_point) and x = (y - zero_point) * scale,
// with one scale per tensor, per slice along `axis`, or per block of `block_size` along it.
#include <algorithm>
#include <cmath>
#include <limits>

#include "runtime/core/simd.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/reduce_axes.h"
#include "runtime/ops/cpu/row_reduce.h"

namespace onnxgen {
namespace {

// Where element (o, a, j) of x, split [outer, extent, inner] around `axis`, finds its scale and
// zero point.
struct ScaleLayout {
  AxisSplit split;
  enum class Kind { kTensor, kAxis, kBlocked } kind = Kind::kTensor;
  int64_t block = 0;
  int64_t blocks = 0;  // scale's extent along the axis when blocked

  int64_t index(int64_t o, int64_t a, int64_t j) const {
    switch (kind) {
      case Kind::kTensor: return 0;
      case Kind::kAxis: return a;
      case Kind::kBlocked: return (o * blocks + a / block) * split.inner + j;
    }
    return 0;
  }
};

ScaleLayout scale_layout(const Tensor& x, const Tensor& scale, const Tensor* zero_point, int64_t axis_attr,
                         int64_t block_size) {
  if (zero_point) {
    ONNXGEN_CHECK(zero_point->shape() == scale.shape(), "zero point ", zero_point->describe(),
                  " must have the scale's shape ", scale.describe());
  }
  ScaleLayout l;
  if (scale.numel() == 1 && scale.rank() <= 1 && block_size <= 0) return l;
  ONNXGEN_CHECK(x.rank() >= 1, "a per-axis scale ", scale.describe(), " needs an input of rank >= 1, got ", x.describe());
  const int64_t axis = normalize_axis(axis_attr, static_cast<int64_t>(x.rank()));
  l.split = split_at_axis(x.shape(), axis);
  if (block_size > 0) {
    l.kind = ScaleLayout::Kind::kBlocked;
    l.block = block_size;
    l.blocks = (l.split.extent + block_size - 1) / block_size;
    Shape expected = x.shape();
    expected[static_cast<size_t>(axis)] = l.blocks;
    ONNXGEN_CHECK(scale.shape() == expected, "blocked scale ", scale.describe(), " must have shape ", to_string(expected),
                  " for block_size ", block_size);
    return l;
  }
  ONNXGEN_CHECK(scale.rank() == 1 && scale.dim(0) == l.split.extent, "per-axis scale ", scale.describe(),
                " must have one value per index of axis ", axis, " of ", x.describe());
  l.kind = ScaleLayout::Kind::kAxis;
  return l;
}

// Visits every element as fn(flat_index, scale_index).
template <class F>
void for_each_scaled(const ScaleLayout& l, int64_t numel, F&& fn) {
  if (l.kind == ScaleLayout::Kind::kTensor) {
    for (int64_t i = 0; i < numel; ++i) fn(i, 0);
    return;
  }
  const AxisSplit& s = l.split;
  int64_t flat = 0;
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t a = 0; a < s.extent; ++a)
      for (int64_t j = 0; j < s.inner; ++j) fn(flat++, l.index(o, a, j));
}

template <class Q>
Q saturate_round(float v, int32_t zero_point) {
  const float r = std::nearbyint(v) + static_cast<float>(zero_point);
  const float lo = static_cast<float>(std::numeric_limits<Q>::lowest()), hi = static_cast<float>(std::numeric_limits<Q>::max());
  return static_cast<Q>(std::clamp(r, lo, hi));
}

template <class F>
decltype(auto) dispatch_quantized(DataType t, F&& f) {
  switch (t) {
    case DataType::kUInt8: return f(uint8_t{});
    case DataType::kInt8: return f(int8_t{});
    case DataType::kUInt16: return f(uint16_t{});
    case DataType::kInt16: return f(int16_t{});
    default: break;
  }
  fail("unsupported quantized type ", to_string(t));
}

class QuantizeLinear : public OpKernel {
 public:
  explicit QuantizeLinear(const KernelInit& init)
      : axis_(init.attrs().get_int("axis", 1)),
        block_size_(init.attrs().get_int("block_size", 0)),
        output_dtype_(static_cast<DataType>(init.attrs().get_int("output_dtype", 0))) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& scale = ctx.required(1);
    const Tensor* zp = ctx.input(2);
    if (zp && !zp->defined()) zp = nullptr;
    const DataType qtype = zp ? zp->dtype() : output_dtype_ != DataType::kUndefined ? output_dtype_ : DataType::kUInt8;
    ONNXGEN_CHECK(!zp || output_dtype_ == DataType::kUndefined || output_dtype_ == zp->dtype(), "output_dtype ",
                  to_string(output_dtype_), " differs from the zero point's ", zp ? zp->describe() : "");
    const ScaleLayout l = scale_layout(x, scale, zp, axis_, block_size_);
    const std::vector<float> scales = as_floats(scale);
    Tensor& y = ctx.allocate(0, qtype, x.shape());
    dispatch_quantized(qtype, [&](auto qtag) {
      using Q = decltype(qtag);
      const Q* zero = zp ? zp->data<Q>() : nullptr;
      Q* out = y.data<Q>();
      auto quantize = [&](auto tag) {
        using T = decltype(tag);
        if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<compute_t<T>, float>) {
          const T* in = x.data<T>();
          for_each_scaled(l, x.numel(), [&](int64_t i, int64_t s) {
            out[i] = saturate_round<Q>(static_cast<float>(in[i]) / scales[static_cast<size_t>(s)],
                                       zero ? static_cast<int32_t>(zero[s]) : 0);
          });
        } else {
          fail("QuantizeLinear does not take ", x.describe());
        }
      };
      dispatch_numeric(x.dtype(), quantize);
    });
  }

 private:
  static std::vector<float> as_floats(const Tensor& t) {
    ONNXGEN_CHECK(is_float(t.dtype()), "scale must be floating point, got ", t.describe());
    std::vector<float> out(static_cast<size_t>(t.numel()));
    for (int64_t i = 0; i < t.numel(); ++i) out[static_cast<size_t>(i)] = static_cast<float>(t.to_double(i));
    return out;
  }

  int64_t axis_;
  int64_t block_size_;
  DataType output_dtype_;
};

class DequantizeLinear : public OpKernel {
 public:
  explicit DequantizeLinear(const KernelInit& init)
      : axis_(init.attrs().get_int("axis", 1)), block_size_(init.attrs().get_int("block_size", 0)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& scale = ctx.required(1);
    const Tensor* zp = ctx.input(2);
    if (zp && !zp->defined()) zp = nullptr;
    ONNXGEN_CHECK(!zp || zp->dtype() == x.dtype(), "zero point ", zp ? zp->describe() : "", " must have the input's type ",
                  x.describe());
    const ScaleLayout l = scale_layout(x, scale, zp, axis_, block_size_);
    Tensor& y = ctx.allocate(0, scale.dtype(), x.shape());
    dispatch_float(scale.dtype(), [&](auto ftag) {
      using F = decltype(ftag);
      const F* sc = scale.data<F>();
      F* out = y.data<F>();
      auto dequantize = [&](auto tag) {
        using Q = decltype(tag);
        if constexpr (std::is_integral_v<Q> && sizeof(Q) <= 4 && !std::is_same_v<Q, uint32_t> && !std::is_same_v<Q, bool>) {
          const Q* in = x.data<Q>();
          const Q* zero = zp ? zp->data<Q>() : nullptr;
          for_each_scaled(l, x.numel(), [&](int64_t i, int64_t s) {
            const int64_t centred = static_cast<int64_t>(in[i]) - (zero ? static_cast<int64_t>(zero[s]) : 0);
            out[i] = static_cast<F>(static_cast<float>(centred) * static_cast<float>(sc[s]));
          });
        } else {
          fail("DequantizeLinear does not take ", x.describe());
        }
      };
      dispatch_numeric(x.dtype(), dequantize);
    });
  }

 private:
  int64_t axis_;
  int64_t block_size_;
};

// saturate_round<uint8_t>(in[i] / scale, zero) for every i, in clones that vectorise it (a
// dynamically quantised model runs this on every activation that enters an int8 MatMul).
ONNXGEN_SIMD_CLONES
void quantize_to_u8(const float* __restrict in, int64_t n, float scale, uint8_t zero, uint8_t* __restrict out) {
  for (int64_t i = 0; i < n; ++i) out[i] = saturate_round<uint8_t>(in[i] / scale, zero);
}

// Per-tensor uint8 quantisation with the range [min(x, 0), max(x, 0)] mapped onto [0, 255].
class DynamicQuantizeLinear : public OpKernel {
 public:
  explicit DynamicQuantizeLinear(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.dtype() == DataType::kFloat, "DynamicQuantizeLinear takes float32, got ", x.describe());
    const float* in = x.data<float>();
    const float lo = std::min(0.0f, row_min(in, x.numel()));
    const float hi = std::max(0.0f, row_max(in, x.numel()));
    ONNXGEN_CHECK(std::isfinite(lo) && std::isfinite(hi), "DynamicQuantizeLinear input has non-finite values");
    const float scale = (hi - lo) / 255.0f;
    const uint8_t zero = scale == 0 ? 0 : saturate_round<uint8_t>(-lo / scale, 0);
    Tensor& y = ctx.allocate(0, DataType::kUInt8, x.shape());
    uint8_t* out = y.data<uint8_t>();
    // An all-zero input has scale 0; its quantised form is all zero points.
    if (scale == 0) std::fill(out, out + x.numel(), zero);
    else quantize_to_u8(in, x.numel(), scale, zero, out);
    *ctx.allocate(1, DataType::kFloat, {}).data<float>() = scale;
    *ctx.allocate(2, DataType::kUInt8, {}).data<uint8_t>() = zero;
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "QuantizeLinear", 10, ONNXGEN_LATEST, QuantizeLinear);
ONNXGEN_REGISTER_KERNEL("", "DequantizeLinear", 10, ONNXGEN_LATEST, DequantizeLinear);
ONNXGEN_REGISTER_KERNEL("", "DynamicQuantizeLinear", 11, ONNXGEN_LATEST, DynamicQuantizeLinear);

}  // namespace onnxgen
