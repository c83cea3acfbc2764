#include "runtime/ops/cpu/gemv.h"

#include <algorithm>
#include <vector>

#include "runtime/core/simd.h"

namespace onnxgen {
namespace {

// 16 floats, loaded and stored unaligned; one zmm on AVX-512, two ymm on AVX2.
typedef float Lanes __attribute__((vector_size(64), aligned(4), may_alias));
constexpr int64_t kLanes = 16;
constexpr int kRowsPerPass = 8;
// Partial sums one thread keeps per pass over B (columns per pass = this / rows): one row's stay
// in L2 while B's rows stream whole; several rows' are read and written for every slice of B, so
// they are kept near L1 (SmolLM2's 49152-column head at 8 rows: 6-7 -> 8-13 GB/s).
constexpr int64_t kAccBytesOneRow = 192 * 1024;
constexpr int64_t kAccBytesRows = 48 * 1024;
// Bound on all threads' partial sums of a B split along k.
constexpr int64_t kMaxPartialBytes = 512 * 1024;

// acc[r][0..cols) += sum over kk in [0, k) of a[r][kk] * b[kk][0..cols): B's rows streamed,
// kRowsPerPass at a time; each 16-column slice of those rows is loaded once and meets every row
// of A, so a batch of rows costs one read of B, and one row's partial sums make one round trip
// through L1 per kRowsPerPass rows of B.
ONNXGEN_SIMD_CLONES
void accumulate_rows(int64_t m, int64_t k, int64_t cols, const float* __restrict a, int64_t lda,
                     const float* __restrict b, int64_t ldb, float* __restrict acc, int64_t ldacc) {
  const int64_t vec_cols = cols / kLanes * kLanes;
  int64_t kk = 0;
  for (; kk + kRowsPerPass <= k; kk += kRowsPerPass) {
    const float* bp = b + kk * ldb;
    for (int64_t j = 0; j < vec_cols; j += kLanes) {
      Lanes v[kRowsPerPass];
      for (int i = 0; i < kRowsPerPass; ++i) v[i] = *reinterpret_cast<const Lanes*>(bp + i * ldb + j);
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
  // B stored [k][n], streamed row by row. Its columns go in panels whose partial sums stay in L2;
  // with enough panels for every thread, each thread takes whole panels and sums into C.
  const int64_t acc_bytes = m == 1 ? kAccBytesOneRow : kAccBytesRows;
  const int64_t panel = std::min(n, std::max<int64_t>(256, acc_bytes / static_cast<int64_t>(sizeof(float)) / m / kLanes * kLanes));
  const int64_t panels = (n + panel - 1) / panel;
  if (panels >= pool.num_threads()) {
    pool.parallel_for(panels, 1, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        const int64_t j0 = p * panel, cols = std::min(panel, n - j0);
        for (int64_t r = 0; r < m; ++r) std::fill_n(c + r * n + j0, cols, 0.0f);
        accumulate_rows(m, k, cols, a, k, b + j0, n, c + j0, n);
      }
    });
    return;
  }
  // Few panels (a narrow B): B's rows go in contiguous ranges, each summed into partial sums of
  // its own and added up at the end. More ranges than threads, claimed as threads come free: a
  // decode step's matrices take a fraction of a millisecond, and a static half each would leave
  // one thread waiting for a partner that woke late.
  const int64_t parts = std::clamp<int64_t>(std::min(k / 64, kMaxPartialBytes / static_cast<int64_t>(sizeof(float)) / (m * n)), 1,
                                            int64_t{pool.num_threads()} * 4);
  thread_local std::vector<float> partials;
  if (partials.size() < static_cast<size_t>(parts * m * n)) partials.resize(static_cast<size_t>(parts * m * n));
  float* part = partials.data();
  pool.parallel_for(parts, 1, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const int64_t k0 = k * p / parts, k1 = k * (p + 1) / parts;
      float* sums = part + p * m * n;
      std::fill_n(sums, m * n, 0.0f);
      for (int64_t j0 = 0; j0 < n; j0 += panel)
        accumulate_rows(m, k1 - k0, std::min(panel, n - j0), a + k0, k, b + k0 * n + j0, n, sums + j0, n);
    }
  });
  std::copy_n(part, m * n, c);
  for (int64_t p = 1; p < parts; ++p)
    for (int64_t i = 0; i < m * n; ++i) c[i] += part[p * m * n + i];
}

}  // namespace onnxgen
