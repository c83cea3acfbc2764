#pragma once
// Where's operand contract, checked the same way by the CPU and CUDA kernels.
#include "runtime/core/error.h"
#include "runtime/core/tensor.h"

namespace onnxgen {

inline void check_where_inputs(const Tensor& cond, const Tensor& x, const Tensor& y) {
  ONNXGEN_CHECK(cond.dtype() == DataType::kBool, "Where condition must be bool, got ", cond.describe());
  ONNXGEN_CHECK(x.dtype() == y.dtype(), "Where X ", x.describe(), " and Y ", y.describe(), " differ in element type");
}

}  // namespace onnxgen
