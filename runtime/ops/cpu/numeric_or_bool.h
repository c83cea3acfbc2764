#pragma once
// Helpers for the ops here that work on numbers and bools alike (NonZero, EyeLike, Dropout's
// mask, Unique) and for the int64 vectors that shape-like outputs are.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "runtime/core/tensor.h"

namespace onnxgen {

// dispatch_numeric, plus bool.
template <class F>
decltype(auto) dispatch_numeric_or_bool(DataType t, F&& f) {
  if (t == DataType::kBool) return f(bool{});
  return dispatch_numeric(t, std::forward<F>(f));
}

// Sets every element of a numeric or bool tensor to `value`.
inline void fill_with(Tensor& t, double value) {
  dispatch_numeric_or_bool(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    std::fill(t.data<T>(), t.data<T>() + t.numel(), T(static_cast<compute_t<T>>(value)));
  });
}

inline Tensor int64_vector_tensor(const std::vector<int64_t>& v) {
  Tensor t = Tensor::empty(DataType::kInt64, {static_cast<int64_t>(v.size())});
  std::copy(v.begin(), v.end(), t.data<int64_t>());
  return t;
}

}  // namespace onnxgen
