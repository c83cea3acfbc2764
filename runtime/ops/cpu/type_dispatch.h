#pragma once
// Element-type groups that ONNX op signatures allow, and dispatch restricted to one group so a
// kernel instantiates only the types it supports and rejects the rest with a clear error.
#include <string>
#include <type_traits>

#include "runtime/core/data_type.h"
#include "runtime/ops/cpu/half_convert.h"

namespace onnxgen {

enum class TypeGroup {
  kFloat,          // float, double, float16, bfloat16
  kSignedOrFloat,  // kFloat and signed integers
  kNumeric,        // kFloat and all integers
  kInteger,        // signed and unsigned integers
  kUnsigned,
  kBool,
  kNumericOrBool,
  kAll,  // kNumericOrBool and string
};

template <class T>
inline constexpr bool is_half_v = std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>;
template <class T>
inline constexpr bool is_float_v = std::is_floating_point_v<T> || is_half_v<T>;
template <class T>
inline constexpr bool is_int_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <TypeGroup G, class T>
constexpr bool in_group() {
  constexpr bool numeric = is_float_v<T> || is_int_v<T>;
  switch (G) {
    case TypeGroup::kFloat: return is_float_v<T>;
    case TypeGroup::kSignedOrFloat: return is_float_v<T> || (is_int_v<T> && std::is_signed_v<T>);
    case TypeGroup::kNumeric: return numeric;
    case TypeGroup::kInteger: return is_int_v<T>;
    case TypeGroup::kUnsigned: return is_int_v<T> && std::is_unsigned_v<T>;
    case TypeGroup::kBool: return std::is_same_v<T, bool>;
    case TypeGroup::kNumericOrBool: return numeric || std::is_same_v<T, bool>;
    case TypeGroup::kAll: return true;
  }
  return false;
}

// Calls f(T{}) for the C++ type of `t` when it is in group G; otherwise throws naming `what`.
template <TypeGroup G, class F>
void dispatch_group(DataType t, const char* what, F&& f) {
  dispatch_all(t, [&](auto tag) {
    if constexpr (in_group<G, decltype(tag)>()) f(tag);
    else fail(what, " does not support element type ", to_string(t));
  });
}

// The value a half type computes in (float); other types as they are.
template <class T>
inline decltype(auto) widen(const T& v) {
  if constexpr (is_half_v<T>) return half_to_float(v);
  else return (v);
}

// Converts a computed value back to storage type T (half types are built from float).
template <class T, class C>
inline T to_storage(C v) {
  if constexpr (std::is_same_v<T, Float16>) return float_to_half(static_cast<float>(v));
  else if constexpr (std::is_same_v<T, BFloat16>) return float_to_bfloat16(static_cast<float>(v));
  else return static_cast<T>(v);
}

}  // namespace onnxgen
