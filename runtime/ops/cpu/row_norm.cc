#include "runtime/ops/cpu/row_norm.h"

#include <cmath>

#include "runtime/core/simd.h"
#include "runtime/ops/cpu/row_reduce.h"

namespace onnxgen {
namespace {

ONNXGEN_SIMD_CLONES
void scale_shift(const float* __restrict x, float* y, int64_t n, float mean, float inv_std,
                 const float* __restrict gamma, const float* __restrict beta) {
  if (gamma && beta) {
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mean) * inv_std * gamma[i] + beta[i];
  } else if (gamma) {
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mean) * inv_std * gamma[i];
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mean) * inv_std;
  }
}

}  // namespace

RowNormStats normalize_row(const float* x, float* y, int64_t n, float epsilon, bool rms, const float* gamma,
                           const float* beta) {
  RowNormStats st;
  if (n == 0) return st;
  const float inv_n = 1.0f / static_cast<float>(n);
  float variance;
  if (rms) {
    variance = row_sum_squares(x, n) * inv_n;
  } else {
    st.mean = row_sum(x, n) * inv_n;
    variance = row_sum_squared_deviation(x, n, st.mean) * inv_n;
  }
  st.inv_std = 1.0f / std::sqrt(variance + epsilon);
  scale_shift(x, y, n, st.mean, st.inv_std, gamma, beta);
  return st;
}

}  // namespace onnxgen
