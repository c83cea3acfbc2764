#pragma once
// Normalisation of one contiguous float row, the step shared by RMSNormalization, the
// com.microsoft (Skip)(Simplified)LayerNormalization family and EmbedLayerNormalization.
#include <cstdint>

namespace onnxgen {

struct RowNormStats {
  float mean = 0;     // 0 for the RMS form
  float inv_std = 0;  // 1 / sqrt(variance (or mean square) + epsilon)
};

// y = (x - mean) * inv_std * gamma + beta for the layer-norm form, x * inv_std * gamma for the
// RMS form (`rms`). gamma and beta may be null (1 and 0). y may equal x.
RowNormStats normalize_row(const float* x, float* y, int64_t n, float epsilon, bool rms, const float* gamma,
                           const float* beta);

}  // namespace onnxgen
