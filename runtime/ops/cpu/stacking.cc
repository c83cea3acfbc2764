#include "runtime/ops/cpu/stacking.h"

#include <cstring>

namespace onnxgen {
namespace {

// Copies `count` elements, which must be assignment-copied for strings and memcpy'd otherwise.
void copy_elements(const Tensor& src, int64_t src_off, Tensor& dst, int64_t dst_off, int64_t count) {
  if (src.dtype() == DataType::kString) {
    const auto* s = src.data<std::string>() + src_off;
    auto* d = dst.data<std::string>() + dst_off;
    for (int64_t i = 0; i < count; ++i) d[i] = s[i];
    return;
  }
  size_t es = element_size(src.dtype());
  std::memcpy(static_cast<char*>(dst.raw()) + dst_off * es, static_cast<const char*>(src.raw()) + src_off * es,
              static_cast<size_t>(count) * es);
}

}  // namespace

Tensor take_along_axis(const Tensor& t, int64_t axis, int64_t index) {
  int64_t rank = static_cast<int64_t>(t.rank());
  ONNXGEN_CHECK(axis >= 0 && axis < rank, "axis ", axis, " out of range for ", t.describe());
  ONNXGEN_CHECK(index >= 0 && index < t.dim(axis), "index ", index, " out of range along axis ", axis, " of ", t.describe());
  Shape out_shape = t.shape();
  out_shape.erase(out_shape.begin() + axis);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= t.dim(i);
  for (int64_t i = axis + 1; i < rank; ++i) inner *= t.dim(i);
  Tensor out = Tensor::empty(t.dtype(), out_shape);
  for (int64_t o = 0; o < outer; ++o) copy_elements(t, (o * t.dim(axis) + index) * inner, out, o * inner, inner);
  return out;
}

Tensor stack_along_axis(const std::vector<Tensor>& slices, int64_t axis, bool reverse) {
  ONNXGEN_CHECK(!slices.empty(), "nothing to stack");
  const Shape& s0 = slices[0].shape();
  int64_t rank = static_cast<int64_t>(s0.size());
  ONNXGEN_CHECK(axis >= 0 && axis <= rank, "stack axis ", axis, " out of range for rank ", rank);
  int64_t n = static_cast<int64_t>(slices.size());
  for (const auto& s : slices)
    ONNXGEN_CHECK(s.shape() == s0 && s.dtype() == slices[0].dtype(), "iterations produced different shapes: ",
                  slices[0].describe(), " and ", s.describe());
  Shape out_shape = s0;
  out_shape.insert(out_shape.begin() + axis, n);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= s0[i];
  for (int64_t i = axis; i < rank; ++i) inner *= s0[i];
  Tensor out = Tensor::empty(slices[0].dtype(), out_shape);
  for (int64_t k = 0; k < n; ++k) {
    const Tensor& src = slices[reverse ? n - 1 - k : k];
    for (int64_t o = 0; o < outer; ++o) copy_elements(src, o * inner, out, (o * n + k) * inner, inner);
  }
  return out;
}

}  // namespace onnxgen
