#pragma once
// The rotary position embedding of one head vector, shared by the RotaryEmbedding ops and
// GroupQueryAttention's do_rotary. Pairs (x1, x2) are either the two halves of the first rot_dim
// elements or adjacent elements (interleaved); each pair turns by the angle whose cosine and sine
// are cos[i] and sin[i]. Elements from rot_dim on pass through.
#include <cstdint>

namespace onnxgen {

inline void rotate_head(const float* x, float* y, const float* cos, const float* sin, int64_t rot_dim,
                        int64_t head_size, bool interleaved) {
  const int64_t half = rot_dim / 2;
  for (int64_t i = 0; i < half; ++i) {
    const int64_t i1 = interleaved ? 2 * i : i;
    const int64_t i2 = interleaved ? 2 * i + 1 : i + half;
    const float x1 = x[i1], x2 = x[i2];
    y[i1] = cos[i] * x1 - sin[i] * x2;
    y[i2] = sin[i] * x1 + cos[i] * x2;
  }
  for (int64_t i = rot_dim; i < head_size; ++i) y[i] = x[i];
}

}  // namespace onnxgen
