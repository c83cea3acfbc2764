#pragma once
// Vectorised folds of one contiguous float row, the inner loop of reductions, Softmax and the
// normalisations. Each keeps many independent partial results, which lets the compiler use full
// vector registers without reassociating a single running sum.
#include <cstdint>

namespace onnxgen {

float row_sum(const float* x, int64_t n);
float row_sum_squares(const float* x, int64_t n);
// Sum of (x - center)^2: the variance numerator, without the cancellation of E[x^2] - E[x]^2.
float row_sum_squared_deviation(const float* x, int64_t n, float center);
// NaN-propagating, like numpy's max/min; -inf / +inf for an empty row.
float row_max(const float* x, int64_t n);
float row_min(const float* x, int64_t n);

}  // namespace onnxgen
