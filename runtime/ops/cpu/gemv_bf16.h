#pragma once
// Decode-sized products in bfloat16 on CPUs with AVX512_BF16: a few rows of A against weights
// stored [n][k], each vdpbf16ps taking 32 products of bfloat16 pairs into float32 sums. The
// kernel behind --weight-dtype bf16 while decoding: one row streams the weights at memory speed,
// and a batch of rows stays memory-bound where widening the weights to float32 FMAs (16 products
// an instruction, and a widening) ran out of arithmetic at a few rows.
#include <cstdint>

#include "runtime/core/half.h"
#include "runtime/core/thread_pool.h"

namespace onnxgen {

constexpr int64_t kGemvBf16MaxRows = 16;

// Whether this CPU has the instructions gemv_bf16 needs.
bool gemv_bf16_supported();

// C[m][n] = A[m][k] * B^T with B stored [n][k]; m <= kGemvBf16MaxRows.
void gemv_bf16(ThreadPool& pool, int64_t m, int64_t n, int64_t k, const BFloat16* a, const BFloat16* b, float* c);

}  // namespace onnxgen
