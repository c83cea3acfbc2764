#include "runtime/ops/cpu/small_gemm.h"

#include <algorithm>

#include "runtime/core/simd.h"

namespace onnxgen {
namespace {

ONNXGEN_SIMD_CLONES void axpy(int64_t n, float alpha, const float* __restrict x, float* __restrict y) {
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

ONNXGEN_SIMD_CLONES void axpy(int64_t n, double alpha, const double* __restrict x, double* __restrict y) {
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

// Columns of C are split into blocks so one block of each B row stays in cache across the
// rows of A, and blocks are the unit of parallel work.
constexpr int64_t kColumnBlock = 256;

template <class T>
void gemm_impl(ThreadPool& pool, const GemmArgs& g, const T* a, const T* b, T* c) {
  const int64_t blocks = (g.n + kColumnBlock - 1) / kColumnBlock;
  const int64_t work_per_block = std::max<int64_t>(1, g.m * g.k * std::min(g.n, kColumnBlock));
  const int64_t grain = std::max<int64_t>(1, (1 << 16) / work_per_block);
  pool.parallel_for(blocks, grain, [&](int64_t begin, int64_t end) {
    for (int64_t blk = begin; blk < end; ++blk) {
      const int64_t j0 = blk * kColumnBlock;
      const int64_t width = std::min(kColumnBlock, g.n - j0);
      for (int64_t i = 0; i < g.m; ++i) {
        T* crow = c + i * g.ldc + j0;
        if (!g.accumulate) std::fill(crow, crow + width, T(0));
        for (int64_t p = 0; p < g.k; ++p) {
          const T alpha = g.trans_a ? a[p * g.lda + i] : a[i * g.lda + p];
          axpy(width, alpha, b + p * g.ldb + j0, crow);
        }
      }
    }
  });
}

}  // namespace

void small_gemm(ThreadPool& pool, const GemmArgs& args, const float* a, const float* b, float* c) {
  gemm_impl(pool, args, a, b, c);
}

void small_gemm(ThreadPool& pool, const GemmArgs& args, const double* a, const double* b, double* c) {
  gemm_impl(pool, args, a, b, c);
}

}  // namespace onnxgen
