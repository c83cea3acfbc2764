#pragma once
// Element conversion between numeric and bool types, defined where C++ leaves it undefined:
// float to integer maps NaN to 0 and saturates at the target's range.
#include <cmath>
#include <limits>
#include <type_traits>

#include "runtime/ops/cpu/type_dispatch.h"

namespace onnxgen {

template <class To, class From>
inline To convert_element(const From& v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<To, bool>) {
    if constexpr (is_half_v<From>) return half_to_float(v) != 0.0f;
    else return v != From{0};
  } else if constexpr (std::is_same_v<From, bool>) {
    return to_storage<To>(v ? 1 : 0);
  } else if constexpr (is_half_v<To>) {
    return to_storage<To>(static_cast<float>(widen(v)));
  } else if constexpr (std::is_floating_point_v<To>) {
    return static_cast<To>(widen(v));
  } else if constexpr (is_float_v<From>) {
    const double d = static_cast<double>(widen(v));
    if (std::isnan(d)) return To{0};
    if (d >= static_cast<double>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    if (d <= static_cast<double>(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
    return static_cast<To>(d);
  } else {
    return static_cast<To>(v);  // integer to integer wraps (modular since C++20)
  }
}

}  // namespace onnxgen
