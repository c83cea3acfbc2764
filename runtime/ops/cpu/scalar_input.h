#pragma once
// Reading the integer scalars that signal-processing ops take as inputs (lengths, steps, sizes).
#include <cstdint>

#include "runtime/core/tensor.h"

namespace onnxgen {

inline int64_t int_scalar(const Tensor& t, const char* name) {
  ONNXGEN_CHECK(t.numel() == 1 && is_integer(t.dtype()), name, " must be an integer scalar, got ", t.describe());
  return t.to_int64(0);
}

}  // namespace onnxgen
