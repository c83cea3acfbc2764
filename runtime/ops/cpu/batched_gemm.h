#pragma once
// The matrix product behind MatMul, Gemm and Einsum: C[b] = alpha * op(A[b]) * op(B[b]) + beta * C[b]
// over a numpy-broadcast batch. Float32 runs on oneDNN with primitives cached per problem, half
// types widen to it (a decode step's few rows stream B as stored instead), and the other element
// types run a plain loop in their compute precision.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/core/data_type.h"
#include "runtime/core/shape.h"
#include "runtime/core/thread_pool.h"
#include "runtime/ops/cpu/gemv_half.h"

namespace onnxgen {

struct GemmProblem {
  // Batch dimensions of A, B and C, all of the same rank; each dim of A and B equals C's or is 1.
  Shape batch_a, batch_b, batch_c;
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false;  // A[b] is stored [k, m]
  bool trans_b = false;  // B[b] is stored [n, k]
  float alpha = 1;
  float beta = 0;  // 0: C is written, not read
  bool bf16 = false;  // A and B are bfloat16 (C stays float32)
};

// C is dense [batch_c..., m, n]; A and B are dense in their batch and stored layouts.
void batched_gemm(const GemmProblem& p, const float* a, const float* b, float* c);

// C[m][n] = A[m][k] * B^T for float32 A and C and B stored [n][k] as bfloat16 (a float32 model's
// weights cast at load), A rounded to bfloat16: a decode step's few rows run gemv_bf16, more run
// oneDNN's bfloat16 GEMM, at twice or more float32's rate. CPUs with AVX512_BF16 only
// (bf16_weights_supported()).
void gemm_bf16_weights(ThreadPool& pool, int64_t m, int64_t n, int64_t k, const float* a, const BFloat16* b, float* c);
// Whether gemm_bf16_weights runs on this CPU: AVX512_BF16 for gemv_bf16, and oneDNN running its
// bfloat16 GEMM in those instructions, not emulated.
bool bf16_weights_supported();

// For each matrix of C (row-major over batch_c), the index of the matrix of an operand whose batch
// dims broadcast to it.
std::vector<int64_t> broadcast_batch_index(const Shape& operand_batch, const Shape& batch_c);

// Any numeric T, accumulating in compute_t<T>.
template <class T>
void batched_gemm_generic(const GemmProblem& p, const T* a, const T* b, T* c, ThreadPool& pool) {
  using C = compute_t<T>;
  const std::vector<int64_t> ia = broadcast_batch_index(p.batch_a, p.batch_c);
  const std::vector<int64_t> ib = broadcast_batch_index(p.batch_b, p.batch_c);
  const int64_t rows = static_cast<int64_t>(ia.size()) * p.m;
  // Element (i, kk) of op(A) and (kk, j) of op(B).
  const int64_t a_row = p.trans_a ? 1 : p.k, a_col = p.trans_a ? p.m : 1;
  const int64_t b_row = p.trans_b ? 1 : p.n, b_col = p.trans_b ? p.k : 1;
  const C alpha = static_cast<C>(p.alpha), beta = static_cast<C>(p.beta);
  pool.parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, p.n * p.k)), [&](int64_t begin, int64_t end) {
    std::vector<C> acc(static_cast<size_t>(p.n));
    for (int64_t row = begin; row < end; ++row) {
      const int64_t batch = row / p.m, i = row % p.m;
      const T* am = a + ia[static_cast<size_t>(batch)] * p.m * p.k;
      const T* bm = b + ib[static_cast<size_t>(batch)] * p.k * p.n;
      std::fill(acc.begin(), acc.end(), C(0));
      for (int64_t kk = 0; kk < p.k; ++kk) {
        const C av = static_cast<C>(am[i * a_row + kk * a_col]);
        const T* brow = bm + kk * b_row;
        for (int64_t j = 0; j < p.n; ++j) acc[static_cast<size_t>(j)] += av * static_cast<C>(brow[j * b_col]);
      }
      T* out = c + row * p.n;
      for (int64_t j = 0; j < p.n; ++j) {
        C v = alpha * acc[static_cast<size_t>(j)];
        if (p.beta != 0) v += beta * static_cast<C>(out[j]);
        out[j] = static_cast<T>(v);
      }
    }
  });
}

// Element-wise type conversion split across the pool: weight matrices run to millions of elements.
template <class From, class To>
void convert_elements(const From* src, To* dst, int64_t n, ThreadPool& pool) {
  pool.parallel_for(n, 1 << 16, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) dst[i] = static_cast<To>(src[i]);
  });
}

// Any numeric T: float32 on oneDNN, half types widened to float32 around it, the rest generic.
template <class T>
void batched_gemm_any(const GemmProblem& p, const T* a, const T* b, T* c, ThreadPool& pool) {
  if constexpr (std::is_same_v<T, float>) {
    batched_gemm(p, a, b, c);
  } else if constexpr (std::is_same_v<compute_t<T>, float>) {
    // A decode step's few rows read the half weights as stored: widening all of B into a copy
    // would cost more than the product.
    const int64_t rows = num_elements(p.batch_a) * p.m;
    if (rows <= kGemvHalfMaxRows && num_elements(p.batch_b) == 1 && p.batch_a == p.batch_c && !p.trans_a &&
        p.alpha == 1 && p.beta == 0)
      return gemv_half(pool, rows, p.n, p.k, p.trans_b, a, b, c);
    const int64_t na = num_elements(p.batch_a) * p.m * p.k, nb = num_elements(p.batch_b) * p.k * p.n;
    const int64_t nc = num_elements(p.batch_c) * p.m * p.n;
    // Uninitialised: every element is written before it is read.
    const auto wa = std::make_unique_for_overwrite<float[]>(static_cast<size_t>(na));
    const auto wb = std::make_unique_for_overwrite<float[]>(static_cast<size_t>(nb));
    const auto wc = std::make_unique_for_overwrite<float[]>(static_cast<size_t>(nc));
    convert_elements(a, wa.get(), na, pool);
    convert_elements(b, wb.get(), nb, pool);
    if (p.beta != 0) convert_elements(c, wc.get(), nc, pool);
    batched_gemm(p, wa.get(), wb.get(), wc.get());
    convert_elements(wc.get(), c, nc, pool);
  } else {
    batched_gemm_generic<T>(p, a, b, c, pool);
  }
}

}  // namespace onnxgen
