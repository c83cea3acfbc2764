#include "runtime/ops/cpu/dot.h"

#include "runtime/core/simd.h"

namespace onnxgen {

ONNXGEN_SIMD_CLONES
float dot(const float* __restrict a, const float* __restrict b, int64_t n) {
  float lanes[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; ++l) lanes[l] += a[i + l] * b[i + l];
  float sum = 0;
  for (; i < n; ++i) sum += a[i] * b[i];
  for (float v : lanes) sum += v;
  return sum;
}

}  // namespace onnxgen
