#include "runtime/ops/cpu/channel_affine.h"

#include "runtime/core/simd.h"

namespace onnxgen {

ONNXGEN_SIMD_CLONES void channel_affine(const float* __restrict x, float* __restrict y, int64_t n, float mul, float add) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * mul + add;
}

}  // namespace onnxgen
