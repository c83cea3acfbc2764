#pragma once
// The last step of the per-channel normalisations (BatchNormalization, InstanceNormalization):
// once a channel's statistics are known, every element of it becomes x * mul + add.
#include <cstdint>

#include "runtime/core/data_type.h"

namespace onnxgen {

void channel_affine(const float* x, float* y, int64_t n, float mul, float add);

template <class T>
void channel_affine(const T* x, T* y, int64_t n, compute_t<T> mul, compute_t<T> add) {
  if constexpr (std::is_same_v<T, float>) {
    channel_affine(x, y, n, mul, add);
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(static_cast<compute_t<T>>(x[i]) * mul + add);
  }
}

// Mean and population variance of n values.
template <class T>
void moments(const T* x, int64_t n, double& mean, double& variance) {
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(static_cast<compute_t<T>>(x[i]));
  mean = n ? sum / static_cast<double>(n) : 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(static_cast<compute_t<T>>(x[i])) - mean;
    sq += d * d;
  }
  variance = n ? sq / static_cast<double>(n) : 0;
}

}  // namespace onnxgen
