#pragma once
// Decode-sized products against float16 or bfloat16 weights, read in their stored type: a few
// rows of A against one B, which is widened in registers as it streams by, so a step reads 2
// bytes per weight once instead of widening the whole matrix into a float32 copy first. Sums are
// float32; A is widened once up front (it is a few rows), C rounded back to the half type.
#include <cstdint>

#include "runtime/core/half.h"
#include "runtime/core/thread_pool.h"

namespace onnxgen {

constexpr int64_t kGemvHalfMaxRows = 16;

// C[m][n] = A[m][k] * op(B), B stored [k][n], or [n][k] when trans_b; m <= kGemvHalfMaxRows.
void gemv_half(ThreadPool& pool, int64_t m, int64_t n, int64_t k, bool trans_b, const Float16* a, const Float16* b,
               Float16* c);
void gemv_half(ThreadPool& pool, int64_t m, int64_t n, int64_t k, bool trans_b, const BFloat16* a, const BFloat16* b,
               BFloat16* c);

}  // namespace onnxgen
