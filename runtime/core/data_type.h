#pragma once
// Element types, numbered as onnx.TensorProto.DataType so conversion is a cast.
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "runtime/core/error.h"
#include "runtime/core/half.h"

namespace onnxgen {

enum class DataType : int32_t {
  kUndefined = 0,
  kFloat = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBFloat16 = 16,
  // Not ONNX element types: the executor's non-tensor values travel as Tensors of these kinds
  // (runtime/core/sequence.h).
  kSequence = 1000,
  kEmptyOptional = 1001,
};

size_t element_size(DataType t);
std::string to_string(DataType t);
bool is_supported(DataType t);
bool is_float(DataType t);    // float, double, float16, bfloat16
bool is_integer(DataType t);  // signed or unsigned, not bool

template <class T>
constexpr DataType data_type_of() {
  if constexpr (std::is_same_v<T, float>) return DataType::kFloat;
  else if constexpr (std::is_same_v<T, double>) return DataType::kDouble;
  else if constexpr (std::is_same_v<T, Float16>) return DataType::kFloat16;
  else if constexpr (std::is_same_v<T, BFloat16>) return DataType::kBFloat16;
  else if constexpr (std::is_same_v<T, int8_t>) return DataType::kInt8;
  else if constexpr (std::is_same_v<T, int16_t>) return DataType::kInt16;
  else if constexpr (std::is_same_v<T, int32_t>) return DataType::kInt32;
  else if constexpr (std::is_same_v<T, int64_t>) return DataType::kInt64;
  else if constexpr (std::is_same_v<T, uint8_t>) return DataType::kUInt8;
  else if constexpr (std::is_same_v<T, uint16_t>) return DataType::kUInt16;
  else if constexpr (std::is_same_v<T, uint32_t>) return DataType::kUInt32;
  else if constexpr (std::is_same_v<T, uint64_t>) return DataType::kUInt64;
  else if constexpr (std::is_same_v<T, bool>) return DataType::kBool;
  else if constexpr (std::is_same_v<T, std::string>) return DataType::kString;
  else static_assert(sizeof(T) == 0, "no DataType for this C++ type");
}

// Calls f(T{}) with the C++ type of `t`; the listed type groups bound what a kernel supports.
#define ONNXGEN_DISPATCH_CASE(enum_name, type) \
  case ::onnxgen::DataType::enum_name: return f(type{});

template <class F>
decltype(auto) dispatch_numeric(DataType t, F&& f) {
  switch (t) {
    ONNXGEN_DISPATCH_CASE(kFloat, float)
    ONNXGEN_DISPATCH_CASE(kDouble, double)
    ONNXGEN_DISPATCH_CASE(kFloat16, Float16)
    ONNXGEN_DISPATCH_CASE(kBFloat16, BFloat16)
    ONNXGEN_DISPATCH_CASE(kInt8, int8_t)
    ONNXGEN_DISPATCH_CASE(kInt16, int16_t)
    ONNXGEN_DISPATCH_CASE(kInt32, int32_t)
    ONNXGEN_DISPATCH_CASE(kInt64, int64_t)
    ONNXGEN_DISPATCH_CASE(kUInt8, uint8_t)
    ONNXGEN_DISPATCH_CASE(kUInt16, uint16_t)
    ONNXGEN_DISPATCH_CASE(kUInt32, uint32_t)
    ONNXGEN_DISPATCH_CASE(kUInt64, uint64_t)
    default: break;
  }
  throw Error("unsupported element type " + to_string(t));
}

template <class F>
decltype(auto) dispatch_all(DataType t, F&& f) {
  switch (t) {
    ONNXGEN_DISPATCH_CASE(kBool, bool)
    ONNXGEN_DISPATCH_CASE(kString, std::string)
    default: return dispatch_numeric(t, std::forward<F>(f));
  }
}

template <class F>
decltype(auto) dispatch_float(DataType t, F&& f) {
  switch (t) {
    ONNXGEN_DISPATCH_CASE(kFloat, float)
    ONNXGEN_DISPATCH_CASE(kDouble, double)
    ONNXGEN_DISPATCH_CASE(kFloat16, Float16)
    ONNXGEN_DISPATCH_CASE(kBFloat16, BFloat16)
    default: break;
  }
  throw Error("expected a floating-point element type, got " + to_string(t));
}

// Arithmetic type used to compute on T: half types compute in float.
template <class T>
using compute_t = std::conditional_t<std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>, float, T>;

}  // namespace onnxgen
