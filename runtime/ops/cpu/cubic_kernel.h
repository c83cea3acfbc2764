#pragma once
// Keys' cubic convolution kernel, shared by Resize (configurable a) and GridSample (a = -0.75).
#include <array>

namespace onnxgen {

// Weights of the four taps at offsets -1, 0, 1, 2 from floor(x), for t = x - floor(x).
inline std::array<double, 4> cubic_weights(double t, double a) {
  auto near = [a](double d) { return ((a + 2) * d - (a + 3)) * d * d + 1; };       // |d| <= 1
  auto far = [a](double d) { return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a; };  // 1 < |d| < 2
  return {far(t + 1), near(t), near(1 - t), far(2 - t)};
}

}  // namespace onnxgen
