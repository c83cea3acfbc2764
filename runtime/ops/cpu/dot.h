#pragma once
// The float dot product the attention kernels and the transposed-B GEMV share. Its sixteen
// independent partial sums let each ISA clone vectorise it: a single running sum is a chain of
// dependent additions that GCC may not reorder without -ffast-math, so it would stay scalar.
#include <cstdint>

namespace onnxgen {

float dot(const float* __restrict a, const float* __restrict b, int64_t n);

// out[r] = dot(a, rows + r * n) for `count` contiguous rows of `n` floats (attention scores of a
// block of keys: one call per block instead of one per key).
void dot_rows(const float* __restrict a, const float* __restrict rows, int64_t count, int64_t n,
              float* __restrict out);

}  // namespace onnxgen
