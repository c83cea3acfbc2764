#pragma once
// MatMulNBits' int8 compute (accuracy_level 4) for symmetric 4-bit weights: Y = A · dequant(W)^T
// with each block of A quantised to int8 and integer dot products against the raw codes, the
// path every decoded token runs through. The codes are read where they lie (no repacking); A is
// quantised once per call into the codes' nibble order, so the inner loop is a byte-lane
// multiply-add (AVX2 maddubs) with no shuffles.
#include <cstdint>
#include <vector>

#include "runtime/core/thread_pool.h"

namespace onnxgen {

struct Q4Weights {
  const uint8_t* codes;  // [n][k / 2]: byte j of a block holds codes 2j (low nibble) and 2j+1
  const float* scales;   // [n][k / block]
  int64_t n;
  int64_t k;      // a multiple of the block size
  int64_t block;  // a multiple of 32
};

// A's rows quantised for q4_int8_gemm (the layout lives in the .cc). Reused across calls, so a
// steady decode loop allocates nothing.
struct Q4QuantizedA {
  std::vector<uint8_t> bytes;
  int64_t rows = 0;
};

// Whether this CPU runs the kernel (AVX2 + FMA).
bool q4_int8_supported();

// Quantises m rows of A ([m][k]) per block: scale max|a| / 127, round half to even, as ONNX
// Runtime does.
void q4_quantize_a(const float* a, int64_t m, const Q4Weights& w, Q4QuantizedA& out);

// y[m][n] = per block, scale_w * scale_a * sum((code - 8) * a_int8).
void q4_int8_gemm(ThreadPool& pool, const Q4Weights& w, const Q4QuantizedA& a, float* y);

}  // namespace onnxgen
