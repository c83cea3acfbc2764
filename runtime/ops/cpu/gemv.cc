#include "runtime/ops/cpu/gemv.h"

#include <algorithm>
#include <vector>

#include "runtime/core/simd.h"
#include "runtime/ops/cpu/dot.h"
#include "runtime/ops/cpu/gemv_partition.h"

namespace onnxgen {
namespace {

// 16 floats, loaded and stored unaligned; one zmm on AVX-512, two ymm on AVX2.
typedef float Lanes __attribute__((vector_size(64), aligned(4), may_alias));
constexpr int64_t kLanes = 16;
constexpr int kRowsPerPass = 8;
// With several rows of A the FMAs take as long as reading B, and the hardware prefetcher alone
// leaves memory idle while they run. When the slice of B spans its whole rows it is one
// contiguous stream, and fetching kPrefetchRows rows ahead overlaps the two (SmolLM2 q/o at 8
// rows: 82 -> 64 us, down 200 -> 140-160 us). Slices of wider B are chunks of rows far apart,
// where the same prefetch made the head slower.
constexpr int64_t kPrefetchRows = 16;

// acc[r][0..cols) += sum over kk in [0, k) of a[r][kk] * b[kk][0..cols): B's rows streamed,
// kRowsPerPass at a time; each 16-column slice of those rows is loaded once and meets every row
// of A, so a batch of rows costs one read of B, and one row's partial sums make one round trip
// through L1 per kRowsPerPass rows of B.
ONNXGEN_SIMD_CLONES
void accumulate_rows(int64_t m, int64_t k, int64_t cols, const float* __restrict a, int64_t lda,
                     const float* __restrict b, int64_t ldb, float* __restrict acc, int64_t ldacc) {
  const int64_t vec_cols = cols / kLanes * kLanes;
  const bool prefetch = m > 1 && cols == ldb;
  int64_t kk = 0;
  for (; kk + kRowsPerPass <= k; kk += kRowsPerPass) {
    const float* bp = b + kk * ldb;
    for (int64_t j = 0; j < vec_cols; j += kLanes) {
      Lanes v[kRowsPerPass];
      for (int i = 0; i < kRowsPerPass; ++i) v[i] = *reinterpret_cast<const Lanes*>(bp + i * ldb + j);
      if (prefetch && kk + kPrefetchRows + kRowsPerPass <= k)
        for (int i = 0; i < kRowsPerPass; ++i) __builtin_prefetch(bp + (kPrefetchRows + i) * ldb + j);
      for (int64_t r = 0; r < m; ++r) {
        const float* ar = a + r * lda + kk;
        Lanes sum = ar[0] * v[0];
        for (int i = 1; i < kRowsPerPass; ++i) sum += ar[i] * v[i];
        *reinterpret_cast<Lanes*>(acc + r * ldacc + j) += sum;
      }
    }
    for (int64_t r = 0; r < m; ++r) {
      const float* ar = a + r * lda + kk;
      float* out = acc + r * ldacc;
      for (int64_t j = vec_cols; j < cols; ++j)
        for (int i = 0; i < kRowsPerPass; ++i) out[j] += ar[i] * bp[i * ldb + j];
    }
  }
  for (; kk < k; ++kk)
    for (int64_t r = 0; r < m; ++r) {
      const float av = a[r * lda + kk];
      float* out = acc + r * ldacc;
      for (int64_t j = 0; j < cols; ++j) out[j] += av * b[kk * ldb + j];
    }
}

}  // namespace

void gemv_f32(ThreadPool& pool, int64_t m, int64_t n, int64_t k, bool trans_b, const float* a, const float* b,
              float* c) {
  gemv::partition(
      pool, m, n, k, trans_b, c,
      [&](int64_t j0, int64_t j1) {
        for (int64_t j = j0; j < j1; ++j)
          for (int64_t r = 0; r < m; ++r) c[r * n + j] = dot(a + r * k, b + j * k, k);
      },
      [&](int64_t k0, int64_t k1, int64_t j0, int64_t cols, float* sums, int64_t ld) {
        accumulate_rows(m, k1 - k0, cols, a + k0, k, b + k0 * n + j0, n, sums, ld);
      });
}

}  // namespace onnxgen
