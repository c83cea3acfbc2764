#pragma once
// Axis bookkeeping shared by the reductions, ArgMax/ArgMin, the normalisations and the losses:
// which axes an op folds, the shape it leaves, and how a tensor splits around one axis.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "runtime/core/error.h"
#include "runtime/core/shape.h"

namespace onnxgen {

// Per-dimension flags of the axes to fold; empty `axes` folds every dimension.
inline std::vector<bool> reduced_axes_mask(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<bool> mask(static_cast<size_t>(rank), axes.empty());
  for (int64_t a : axes) {
    int64_t n = normalize_axis(a, rank);
    ONNXGEN_CHECK(!mask[static_cast<size_t>(n)] || axes.empty(), "axis ", a, " is listed twice");
    mask[static_cast<size_t>(n)] = true;
  }
  return mask;
}

inline Shape reduced_shape(const Shape& shape, const std::vector<bool>& mask, bool keepdims) {
  Shape out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (!mask[i]) out.push_back(shape[i]);
    else if (keepdims) out.push_back(1);
  }
  return out;
}

// shape = [outer..., extent, inner...] around `axis` (already normalised).
struct AxisSplit {
  int64_t outer = 1;
  int64_t extent = 1;
  int64_t inner = 1;
};

inline AxisSplit split_at_axis(const Shape& shape, int64_t axis) {
  AxisSplit s;
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i) {
    if (i < axis) s.outer *= shape[static_cast<size_t>(i)];
    else if (i == axis) s.extent = shape[static_cast<size_t>(i)];
    else s.inner *= shape[static_cast<size_t>(i)];
  }
  return s;
}

// Product of shape[begin, end).
inline int64_t dims_product(const Shape& shape, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end && i < shape.size(); ++i) p *= shape[i];
  return p;
}

}  // namespace onnxgen
