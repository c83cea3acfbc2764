#include "runtime/ops/cpu/row_reduce.h"

#include <limits>

#include "runtime/core/simd.h"

namespace onnxgen {
namespace {

// Wide enough for two AVX-512 registers, so the adds of consecutive iterations don't wait on
// each other. The folds are inlined into each multiversioned entry point so every clone gets
// its own vector width.
constexpr int kLanes = 32;

template <class Map>
[[gnu::always_inline]] inline float fold_sum(const float* __restrict x, int64_t n, Map map) {
  float acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) acc[k] += map(x[i + k]);
  float s = 0;
  for (int k = 0; k < kLanes; ++k) s += acc[k];
  for (; i < n; ++i) s += map(x[i]);
  return s;
}

template <bool kMax>
[[gnu::always_inline]] inline float fold_extreme(const float* __restrict x, int64_t n) {
  constexpr float kStart = kMax ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  auto better = [](float a, float b) { return kMax ? (a > b ? a : b) : (a < b ? a : b); };
  float acc[kLanes];
  for (int k = 0; k < kLanes; ++k) acc[k] = kStart;
  // NaNs are noted separately so the main loop stays a plain vector max/min.
  int nan_seen = 0;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) {
      float v = x[i + k];
      nan_seen |= v != v;
      acc[k] = better(v, acc[k]);
    }
  float m = kStart;
  for (int k = 0; k < kLanes; ++k) m = better(acc[k], m);
  for (; i < n; ++i) {
    nan_seen |= x[i] != x[i];
    m = better(x[i], m);
  }
  return nan_seen ? std::numeric_limits<float>::quiet_NaN() : m;
}

}  // namespace

ONNXGEN_SIMD_CLONES float row_sum(const float* x, int64_t n) {
  return fold_sum(x, n, [](float v) { return v; });
}

ONNXGEN_SIMD_CLONES float row_sum_squares(const float* x, int64_t n) {
  return fold_sum(x, n, [](float v) { return v * v; });
}

ONNXGEN_SIMD_CLONES float row_sum_squared_deviation(const float* x, int64_t n, float center) {
  return fold_sum(x, n, [center](float v) { return (v - center) * (v - center); });
}

ONNXGEN_SIMD_CLONES float row_max(const float* x, int64_t n) { return fold_extreme<true>(x, n); }

ONNXGEN_SIMD_CLONES float row_min(const float* x, int64_t n) { return fold_extreme<false>(x, n); }

}  // namespace onnxgen
