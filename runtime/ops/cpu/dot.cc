#include "runtime/ops/cpu/dot.h"

#include "runtime/core/simd.h"

namespace onnxgen {

namespace {

// Inlined into each clone below, so every ISA gets its own vectorised copy.
inline __attribute__((always_inline)) float dot_lanes(const float* __restrict a, const float* __restrict b,
                                                      int64_t n) {
  float lanes[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; ++l) lanes[l] += a[i + l] * b[i + l];
  float sum = 0;
  for (; i < n; ++i) sum += a[i] * b[i];
  for (float v : lanes) sum += v;
  return sum;
}

}  // namespace

ONNXGEN_SIMD_CLONES
float dot(const float* __restrict a, const float* __restrict b, int64_t n) { return dot_lanes(a, b, n); }

ONNXGEN_SIMD_CLONES
void dot_rows(const float* __restrict a, const float* __restrict rows, int64_t count, int64_t n,
              float* __restrict out) {
  for (int64_t r = 0; r < count; ++r) out[r] = dot_lanes(a, rows + r * n, n);
}

}  // namespace onnxgen
