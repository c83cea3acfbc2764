#include "runtime/ops/cpu/half_convert.h"

#include "runtime/core/simd.h"

namespace onnxgen {

ONNXGEN_SIMD_CLONES
void widen_halves(const Float16* __restrict src, float* __restrict dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = half_to_float(src[i]);
}

}  // namespace onnxgen
