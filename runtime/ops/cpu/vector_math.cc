#include "runtime/ops/cpu/vector_math.h"

#include "runtime/core/simd.h"

namespace onnxgen {
namespace {

template <class F>
ONNXGEN_SIMD_CLONES void map_floats(const float* x, float* y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

}  // namespace

void exp_approx(const float* x, float* y, int64_t n) {
  map_floats(x, y, n, [](float v) { return exp_approx(v); });
}
void log_approx(const float* x, float* y, int64_t n) {
  map_floats(x, y, n, [](float v) { return log_approx(v); });
}
void tanh_approx(const float* x, float* y, int64_t n) {
  map_floats(x, y, n, [](float v) { return tanh_approx(v); });
}
void erf_approx(const float* x, float* y, int64_t n) {
  map_floats(x, y, n, [](float v) { return erf_approx(v); });
}
void sigmoid_approx(const float* x, float* y, int64_t n) {
  map_floats(x, y, n, [](float v) { return sigmoid_approx(v); });
}
void silu_approx(const float* x, float* y, int64_t n) {
  map_floats(x, y, n, [](float v) { return silu_approx(v); });
}
void gelu_approx(const float* x, float* y, int64_t n) {
  map_floats(x, y, n, [](float v) { return gelu_approx(v); });
}
void gelu_tanh_approx(const float* x, float* y, int64_t n) {
  map_floats(x, y, n, [](float v) { return gelu_tanh_approx(v); });
}

ONNXGEN_SIMD_CLONES float exp_shifted_sum(const float* x, float shift, float* y, int64_t n) {
  constexpr int64_t kLanes = 16;
  float lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) {
      const float e = exp_approx(x[i + l] - shift);
      y[i + l] = e;
      lanes[l] += e;
    }
  float sum = 0;
  for (; i < n; ++i) {
    y[i] = exp_approx(x[i] - shift);
    sum += y[i];
  }
  for (float l : lanes) sum += l;
  return sum;
}

}  // namespace onnxgen
