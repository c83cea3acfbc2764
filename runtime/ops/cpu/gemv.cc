#include "runtime/ops/cpu/gemv.h"

#include <algorithm>
#include <vector>

#include "runtime/core/simd.h"

namespace onnxgen {
namespace {

// acc[r][0..n) += sum over kk in [0, k) of a[r][kk] * b[kk][0..n): B's rows streamed whole, four
// at a time so each pass over acc carries four rows of B.
ONNXGEN_SIMD_CLONES
void accumulate_rows(int64_t m, int64_t k, int64_t n, const float* __restrict a, int64_t lda,
                     const float* __restrict b, float* __restrict acc) {
  int64_t kk = 0;
  for (; kk + 4 <= k; kk += 4) {
    const float* b0 = b + kk * n;
    const float* b1 = b0 + n;
    const float* b2 = b1 + n;
    const float* b3 = b2 + n;
    for (int64_t r = 0; r < m; ++r) {
      const float a0 = a[r * lda + kk], a1 = a[r * lda + kk + 1], a2 = a[r * lda + kk + 2], a3 = a[r * lda + kk + 3];
      float* out = acc + r * n;
      for (int64_t j = 0; j < n; ++j) out[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
    }
  }
  for (; kk < k; ++kk)
    for (int64_t r = 0; r < m; ++r) {
      const float av = a[r * lda + kk];
      float* out = acc + r * n;
      for (int64_t j = 0; j < n; ++j) out[j] += av * b[kk * n + j];
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
  // B stored [k][n]: each thread takes a contiguous range of B's rows (a pure stream) into its own
  // partial sums, added up at the end.
  const int64_t parts = std::min<int64_t>(pool.num_threads(), std::max<int64_t>(1, k / 64));
  thread_local std::vector<float> partials;
  if (partials.size() < static_cast<size_t>(parts * m * n)) partials.resize(static_cast<size_t>(parts * m * n));
  float* part = partials.data();
  std::fill(part, part + parts * m * n, 0.0f);
  pool.parallel_for(parts, 1, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const int64_t k0 = k * p / parts, k1 = k * (p + 1) / parts;
      accumulate_rows(m, k1 - k0, n, a + k0, k, b + k0 * n, part + p * m * n);
    }
  });
  std::copy_n(part, m * n, c);
  for (int64_t p = 1; p < parts; ++p)
    for (int64_t i = 0; i < m * n; ++i) c[i] += part[p * m * n + i];
}

}  // namespace onnxgen
