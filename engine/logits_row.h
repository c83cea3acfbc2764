#pragma once
// Copies one row of a model's logits (float32 or float16) out as float32 for token selection.
#include <cstring>

#include "runtime/core/tensor.h"
#include "runtime/ops/cpu/half_convert.h"

namespace onnxgen::engine {

inline void copy_logits_row(const Tensor& logits, int64_t row, int64_t vocab, float* dst) {
  ONNXGEN_CHECK(logits.numel() >= (row + 1) * vocab, "logits ", logits.describe(), " have no row ", row, " of ", vocab);
  if (logits.dtype() == DataType::kFloat) {
    std::memcpy(dst, logits.data<float>() + row * vocab, static_cast<size_t>(vocab) * sizeof(float));
    return;
  }
  ONNXGEN_CHECK(logits.dtype() == DataType::kFloat16, "logits must be float32 or float16, got ", logits.describe());
  const Float16* src = logits.data<Float16>() + row * vocab;
  for (int64_t v = 0; v < vocab; ++v) dst[v] = half_to_float(src[v]);
}

}  // namespace onnxgen::engine
