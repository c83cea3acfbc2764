#pragma once
// Axis lists as ops take them (attribute or input, possibly negative): validated once here.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "runtime/core/error.h"
#include "runtime/core/shape.h"

namespace onnxgen {

// Normalises each axis against `rank` and rejects repeats.
inline std::vector<int64_t> normalize_axes(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out;
  out.reserve(axes.size());
  for (int64_t a : axes) {
    int64_t n = normalize_axis(a, rank);
    ONNXGEN_CHECK(std::find(out.begin(), out.end(), n) == out.end(), "axis ", a, " is repeated");
    out.push_back(n);
  }
  return out;
}

}  // namespace onnxgen
