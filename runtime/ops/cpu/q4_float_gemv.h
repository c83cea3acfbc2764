#pragma once
// MatMulNBits' float32 compute (accuracy_level below 4, what Optimum's and transformers.js's int4
// exports carry) for 4-bit weights in the model's own layout: each (row, block) dequantised in
// registers to (code - zero_point) * scale, as ONNX Runtime's fp32 path does, and multiplied in
// float32. Nothing is repacked, so the weights stay in the file mapping.
//
// The GEMV keeps a 16-entry table of a block's dequantised values per weight row and looks each
// code up (AVX-512 permutexvar), so a code costs one lookup shared by every row of A; AVX2 has no
// 16-entry lookup and converts each code instead. Prefill dequantises rows for the float GEMM.
#include <cstdint>

#include "runtime/core/thread_pool.h"

namespace onnxgen {

// The instruction sets the kernels have; the best this CPU supports runs unless told.
enum class Q4FloatKernel { kAvx2, kAvx512 };
bool q4_float_kernel_supported(Q4FloatKernel kernel);
Q4FloatKernel q4_float_best_kernel();
// Whether this CPU runs either kernel (AVX2 and FMA).
bool q4_float_supported();

struct Q4FloatWeights {
  const uint8_t* codes;               // [n][k / 2]: byte j of a row holds codes 2j (low nibble) and 2j + 1
  const float* scales;                // [n][k / block]
  const uint8_t* packed_zero_points;  // [n][ceil(k / block / 2)], 4 bits a block, low nibble first; or null
  const float* float_zero_points;     // [n][k / block]; or null (both null: 8)
  int64_t n;
  int64_t k;      // a multiple of the block size
  int64_t block;  // a multiple of 32
};

// Rows of A the GEMV takes; more go through q4_float_dequantize and a GEMM.
constexpr int64_t kQ4FloatGemvMaxRows = 8;

// y[m][n] = a[m][k] * dequant(w)^T for m <= kQ4FloatGemvMaxRows.
void q4_float_gemv(ThreadPool& pool, const Q4FloatWeights& w, const float* a, int64_t m, float* y,
                   Q4FloatKernel kernel = q4_float_best_kernel());

// out[rows][k] = dequant(w) of weight rows [row0, row0 + rows).
void q4_float_dequantize(const Q4FloatWeights& w, int64_t row0, int64_t rows, float* out,
                         Q4FloatKernel kernel = q4_float_best_kernel());

}  // namespace onnxgen
