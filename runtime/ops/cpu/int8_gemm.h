#pragma once
// MatMulInteger's product for a constant B: C[m][n] = sum over k of (A[m][k] - za) * (B[k][n] -
// zb[n]) in int32, exactly. A is uint8 or int8 with one zero point (DynamicQuantizeLinear's
// output), B int8 or uint8 with a zero point per tensor or per column: the int8 layers of ONNX
// Runtime's dynamic quantisation (Optimum's and transformers.js's model_quantized.onnx).
//
// B is packed once into groups of 16 columns, each 4 consecutive k of the 16 columns side by side
// (64 bytes), as int8: AVX-512 VNNI's dpbusd multiplies 4 broadcast bytes of A with them into 16
// int32 sums, no horizontal adds; AVX2 widens both to 16 bits (maddubs would saturate) for madd.
// The zero points come out afterwards through A's row sums and B's column sums.
#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/core/thread_pool.h"

namespace onnxgen {

enum class Int8Kernel { kAvx2, kAvx512Vnni };
bool int8_kernel_supported(Int8Kernel kernel);
Int8Kernel int8_best_kernel();
// Whether this CPU runs either kernel (AVX2).
bool int8_gemm_supported();

struct Int8Operand {
  const void* data;
  bool is_signed;  // int8, else uint8
};

// B [k][n] packed, its zero points folded in as far as they can be before A is known.
struct Int8PackedB {
  std::unique_ptr<int8_t[], void (*)(void*)> data{nullptr, nullptr};  // [n16 / 16][k4 / 4][16][4]
  std::vector<int32_t> column_sums;  // [n16]: sum over k of the packed values
  std::vector<int32_t> zero;         // [n16]: the zero points of the packed values
  int64_t k = 0, n = 0, k4 = 0, n16 = 0;
};

// zero_points: null (0), one value, or n values (per column), of B's type.
Int8PackedB int8_pack_b(ThreadPool& pool, Int8Operand b, int64_t k, int64_t n, const void* zero_points,
                        bool per_column);

// c[m][n] (row stride n) for A [m][k] with zero point a_zero (of A's type).
void int8_gemm(ThreadPool& pool, const Int8PackedB& b, Int8Operand a, int64_t m, int32_t a_zero, int32_t* c,
               Int8Kernel kernel = int8_best_kernel());

}  // namespace onnxgen
