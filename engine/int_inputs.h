#pragma once
// Integer model inputs (token ids, positions, attention masks) as [1, n] rows of whichever of
// int32 and int64 the model declares.
#include <cstdint>
#include <span>

#include "runtime/core/tensor.h"

namespace onnxgen::engine {

namespace detail {
template <class Fill>
Tensor int_row(DataType dtype, int64_t n, Fill fill) {
  ONNXGEN_CHECK(dtype == DataType::kInt32 || dtype == DataType::kInt64, "integer model input expected, got ",
                to_string(dtype));
  Tensor t = Tensor::empty(dtype, {1, n});
  if (dtype == DataType::kInt32) {
    int32_t* p = t.data<int32_t>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<int32_t>(fill(i));
  } else {
    int64_t* p = t.data<int64_t>();
    for (int64_t i = 0; i < n; ++i) p[i] = fill(i);
  }
  return t;
}
}  // namespace detail

template <class T>
Tensor int_row(DataType dtype, std::span<const T> values) {
  return detail::int_row(dtype, static_cast<int64_t>(values.size()),
                         [&](int64_t i) { return static_cast<int64_t>(values[static_cast<size_t>(i)]); });
}

// first, first + step, first + 2 * step, ...
inline Tensor counting_int_row(DataType dtype, int64_t n, int64_t first, int64_t step) {
  return detail::int_row(dtype, n, [&](int64_t i) { return first + step * i; });
}

}  // namespace onnxgen::engine
