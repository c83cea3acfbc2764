#pragma once
// Float32 products with a few rows of A against one weight matrix: the decode step's MatMuls,
// one row per sequence of a batch. They stream B once for all rows and are bound by memory
// bandwidth, so B's columns (or rows, when stored transposed) are split across our thread pool;
// a GEMM library's blocking and its own thread team only add latency at this size.
#include <cstdint>

#include "runtime/core/thread_pool.h"

namespace onnxgen {

constexpr int64_t kGemvF32MaxRows = 16;

// C[m][n] = A[m][k] * op(B), B stored [k][n], or [n][k] when trans_b; m <= kGemvF32MaxRows.
void gemv_f32(ThreadPool& pool, int64_t m, int64_t n, int64_t k, bool trans_b, const float* a, const float* b,
              float* c);

}  // namespace onnxgen
