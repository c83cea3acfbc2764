#pragma once
// Keys' cubic convolution kernel, shared by Resize (configurable a) and GridSample (a = -0.75).
#include <array>
#include <cmath>

namespace onnxgen {

// The kernel's value at distance d from a tap.
inline double cubic_kernel(double d, double a) {
  d = std::abs(d);
  if (d <= 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
  if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return 0;
}

// Weights of the four taps at offsets -1, 0, 1, 2 from floor(x), for t = x - floor(x).
inline std::array<double, 4> cubic_weights(double t, double a) {
  return {cubic_kernel(t + 1, a), cubic_kernel(t, a), cubic_kernel(1 - t, a), cubic_kernel(2 - t, a)};
}

}  // namespace onnxgen
