#pragma once
// Window geometry shared by convolutions and pools: kernel, strides, dilations, pads and
// auto_pad resolved against an input's spatial dims into per-axis output sizes and pads.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/core/error.h"
#include "runtime/core/shape.h"
#include "runtime/graph/attribute.h"

namespace onnxgen {

struct WindowAttrs {
  std::string auto_pad = "NOTSET";
  std::vector<int64_t> kernel_shape;  // empty: taken from the weights
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads;  // begins then ends
  bool ceil_mode = false;

  static WindowAttrs parse(const AttributeMap& a) {
    WindowAttrs w;
    w.auto_pad = a.get_string("auto_pad", "NOTSET");
    w.kernel_shape = a.get_ints("kernel_shape");
    w.strides = a.get_ints("strides");
    w.dilations = a.get_ints("dilations");
    w.pads = a.get_ints("pads");
    w.ceil_mode = a.get_int("ceil_mode", 0) != 0;
    ONNXGEN_CHECK(w.auto_pad == "NOTSET" || w.auto_pad == "VALID" || w.auto_pad == "SAME_UPPER" ||
                      w.auto_pad == "SAME_LOWER",
                  "unsupported auto_pad '", w.auto_pad, "'");
    return w;
  }
};

// One window per output position along each spatial axis: output o reads input positions
// o * stride - pad_begin + j * dilation for j < kernel.
struct WindowGeometry {
  std::vector<int64_t> input, kernel, stride, dilation, pad_begin, pad_end, output;

  size_t rank() const { return input.size(); }
  int64_t input_size() const { return product(input); }
  int64_t kernel_size() const { return product(kernel); }
  int64_t output_size() const { return product(output); }

  static int64_t product(const std::vector<int64_t>& v) {
    int64_t n = 1;
    for (int64_t d : v) n *= d;
    return n;
  }
};

inline std::vector<int64_t> per_axis(const std::vector<int64_t>& given, size_t rank, int64_t fallback,
                                     const char* name) {
  if (given.empty()) return std::vector<int64_t>(rank, fallback);
  ONNXGEN_CHECK(given.size() == rank, name, " has ", given.size(), " values for ", rank, " spatial axes");
  return given;
}

// Resolves `attrs` for an input whose spatial dims are `input` and a kernel of `kernel`.
inline WindowGeometry resolve_window(const WindowAttrs& attrs, const std::vector<int64_t>& input,
                                     const std::vector<int64_t>& kernel) {
  const size_t rank = input.size();
  WindowGeometry g;
  g.input = input;
  g.kernel = kernel;
  ONNXGEN_CHECK(kernel.size() == rank, "kernel has ", kernel.size(), " dims for ", rank, " spatial axes");
  g.stride = per_axis(attrs.strides, rank, 1, "strides");
  g.dilation = per_axis(attrs.dilations, rank, 1, "dilations");
  std::vector<int64_t> pads = attrs.pads.empty() ? std::vector<int64_t>(2 * rank, 0) : attrs.pads;
  ONNXGEN_CHECK(pads.size() == 2 * rank, "pads has ", pads.size(), " values for ", rank, " spatial axes");
  g.pad_begin.assign(pads.begin(), pads.begin() + rank);
  g.pad_end.assign(pads.begin() + rank, pads.end());
  g.output.resize(rank);
  for (size_t i = 0; i < rank; ++i) {
    ONNXGEN_CHECK(kernel[i] > 0, "kernel dim ", i, " is ", kernel[i]);
    ONNXGEN_CHECK(g.stride[i] > 0, "stride ", i, " is ", g.stride[i]);
    ONNXGEN_CHECK(g.dilation[i] > 0, "dilation ", i, " is ", g.dilation[i]);
    ONNXGEN_CHECK(input[i] >= 0, "negative input dim");
    const int64_t extent = (kernel[i] - 1) * g.dilation[i] + 1;
    if (attrs.auto_pad == "SAME_UPPER" || attrs.auto_pad == "SAME_LOWER") {
      g.output[i] = (input[i] + g.stride[i] - 1) / g.stride[i];
      const int64_t total = std::max<int64_t>(0, (g.output[i] - 1) * g.stride[i] + extent - input[i]);
      const int64_t small = total / 2;
      g.pad_begin[i] = attrs.auto_pad == "SAME_UPPER" ? small : total - small;
      g.pad_end[i] = total - g.pad_begin[i];
      continue;
    }
    if (attrs.auto_pad == "VALID") g.pad_begin[i] = g.pad_end[i] = 0;
    ONNXGEN_CHECK(g.pad_begin[i] >= 0 && g.pad_end[i] >= 0, "negative pads");
    const int64_t span = input[i] + g.pad_begin[i] + g.pad_end[i] - extent;
    ONNXGEN_CHECK(span >= 0, "window of extent ", extent, " does not fit input dim ", input[i], " with pads");
    if (attrs.ceil_mode) {
      g.output[i] = (span + g.stride[i] - 1) / g.stride[i] + 1;
      // The last window must start inside the input or its begin padding.
      if ((g.output[i] - 1) * g.stride[i] >= input[i] + g.pad_begin[i]) --g.output[i];
    } else {
      g.output[i] = span / g.stride[i] + 1;
    }
  }
  return g;
}

// Spatial dims of an [N, C, spatial...] shape.
inline std::vector<int64_t> spatial_dims(const Shape& shape) {
  return std::vector<int64_t>(shape.begin() + 2, shape.end());
}

// A convolution's sizes: X [N, C, spatial...] with W [M, C / group, kernel...] gives
// Y [N, M, window.output...].
struct ConvProblem {
  int64_t batch = 0, in_channels = 0, out_channels = 0, group = 1;
  WindowGeometry window;

  Shape output_shape() const {
    Shape s{batch, out_channels};
    s.insert(s.end(), window.output.begin(), window.output.end());
    return s;
  }
};

inline ConvProblem conv_problem(const WindowAttrs& attrs, int64_t group, const Shape& x, const Shape& w) {
  ONNXGEN_CHECK(x.size() >= 3, "input must be [N, C, spatial...], got rank ", x.size());
  ONNXGEN_CHECK(w.size() == x.size(), "weights rank ", w.size(), " differs from input rank ", x.size());
  ONNXGEN_CHECK(group >= 1, "group is ", group);
  ConvProblem p;
  p.batch = x[0];
  p.in_channels = x[1];
  p.out_channels = w[0];
  p.group = group;
  ONNXGEN_CHECK(p.in_channels == w[1] * group, "input has ", p.in_channels, " channels but weights expect ", w[1],
                " per group x ", group, " groups");
  ONNXGEN_CHECK(p.out_channels % group == 0, p.out_channels, " output channels do not split into ", group, " groups");
  std::vector<int64_t> kernel = spatial_dims(w);
  ONNXGEN_CHECK(attrs.kernel_shape.empty() || attrs.kernel_shape == kernel,
                "kernel_shape attribute disagrees with the weights");
  p.window = resolve_window(attrs, spatial_dims(x), kernel);
  return p;
}

}  // namespace onnxgen
