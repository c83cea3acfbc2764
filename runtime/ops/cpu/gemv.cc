#include "runtime/ops/cpu/gemv.h"

#include <algorithm>

#include "runtime/core/simd.h"

namespace onnxgen {
namespace {

constexpr int64_t kColumnBlock = 64;

// acc[r][0..cols) += sum over kk of a[r][kk] * b[kk][0..cols): rows of B read contiguously.
ONNXGEN_SIMD_CLONES
void accumulate_columns(int64_t m, int64_t k, int64_t cols, const float* __restrict a, int64_t lda,
                        const float* __restrict b, int64_t ldb, float* __restrict acc) {
  for (int64_t kk = 0; kk < k; ++kk) {
    const float* brow = b + kk * ldb;
    for (int64_t r = 0; r < m; ++r) {
      const float av = a[r * lda + kk];
      float* out = acc + r * kColumnBlock;
      for (int64_t j = 0; j < cols; ++j) out[j] += av * brow[j];
    }
  }
}

ONNXGEN_SIMD_CLONES
float dot(const float* __restrict a, const float* __restrict b, int64_t k) {
  float lanes[16] = {};
  int64_t i = 0;
  for (; i + 16 <= k; i += 16)
    for (int l = 0; l < 16; ++l) lanes[l] += a[i + l] * b[i + l];
  float sum = 0;
  for (; i < k; ++i) sum += a[i] * b[i];
  for (float v : lanes) sum += v;
  return sum;
}

}  // namespace

void gemv_f32(ThreadPool& pool, int64_t m, int64_t n, int64_t k, bool trans_b, const float* a, const float* b,
              float* c) {
  if (trans_b) {
    pool.parallel_for(n, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, k)), [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j)
        for (int64_t r = 0; r < m; ++r) c[r * n + j] = dot(a + r * k, b + j * k, k);
    });
    return;
  }
  const int64_t blocks = (n + kColumnBlock - 1) / kColumnBlock;
  pool.parallel_for(blocks, std::max<int64_t>(1, 32768 / std::max<int64_t>(1, k * kColumnBlock)),
                    [&](int64_t begin, int64_t end) {
                      float acc[kGemvF32MaxRows * kColumnBlock];
                      for (int64_t blk = begin; blk < end; ++blk) {
                        const int64_t j0 = blk * kColumnBlock, cols = std::min(kColumnBlock, n - j0);
                        std::fill(acc, acc + m * kColumnBlock, 0.0f);
                        accumulate_columns(m, k, cols, a, k, b + j0, n, acc);
                        for (int64_t r = 0; r < m; ++r) std::copy_n(acc + r * kColumnBlock, cols, c + r * n + j0);
                      }
                    });
}

}  // namespace onnxgen
