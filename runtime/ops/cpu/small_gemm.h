#pragma once
// A plain row-major GEMM for the kernels whose types or layouts oneDNN does not cover here
// (double and half-precision convolutions, transposed convolution, integer convolution via
// exact double arithmetic). Float32 convolutions go through oneDNN instead.
#include <cstdint>

#include "runtime/core/thread_pool.h"

namespace onnxgen {

struct GemmArgs {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false;  // A is stored [K, M]
  int64_t lda = 0, ldb = 0, ldc = 0;
  bool accumulate = false;  // C += A*B instead of C = A*B
};

// C[M,N] = op(A)[M,K] * B[K,N].
void small_gemm(ThreadPool& pool, const GemmArgs& args, const float* a, const float* b, float* c);
void small_gemm(ThreadPool& pool, const GemmArgs& args, const double* a, const double* b, double* c);

}  // namespace onnxgen
