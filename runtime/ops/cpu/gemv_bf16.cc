#include "runtime/ops/cpu/gemv_bf16.h"

#include <algorithm>
#include <cstdint>

#include "runtime/core/error.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define ONNXGEN_GEMV_BF16_X86 1
#include <immintrin.h>

#include "runtime/ops/cpu/avx512_sums.h"
#endif

namespace onnxgen {

#ifdef ONNXGEN_GEMV_BF16_X86
namespace {

#define ONNXGEN_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))

// 32 bfloat16 values from p; with `count` (1 to 32) the lanes from `count` on are zero (they then
// add nothing). The mask is made in 64 bits: a 32-bit shift by 32 is undefined.
ONNXGEN_BF16_TARGET inline __m512bh load32(const BFloat16* p) {
  return reinterpret_cast<__m512bh>(_mm512_loadu_si512(p));
}
ONNXGEN_BF16_TARGET inline __m512bh load32(const BFloat16* p, int64_t count) {
  const auto mask = static_cast<__mmask32>((uint64_t{1} << count) - 1);
  return reinterpret_cast<__m512bh>(_mm512_maskz_loadu_epi16(mask, p));
}

// acc[i][q] += the products of chunk [kk, kk + 32) of a[i] and b[q]; `count` of them when masked.
template <int RM, int RJ, bool kMasked>
ONNXGEN_BF16_TARGET inline void dot_step(__m512 (&acc)[RM][RJ], int64_t k, const BFloat16* a, const BFloat16* b,
                                         int64_t kk, int64_t count) {
  __m512bh bv[RJ];
  for (int q = 0; q < RJ; ++q) bv[q] = kMasked ? load32(b + q * k + kk, count) : load32(b + q * k + kk);
  for (int i = 0; i < RM; ++i) {
    const __m512bh av = kMasked ? load32(a + i * k + kk, count) : load32(a + i * k + kk);
    for (int q = 0; q < RJ; ++q) acc[i][q] = _mm512_dpbf16_ps(acc[i][q], av, bv[q]);
  }
}

// c[i * ldc + q] = dot(a[i], b[q]) for RM rows of A and RJ rows of B, RM * RJ sums in registers.
// The RJ rows after these (the next tile's, contiguous with them) are prefetched into L2 as these
// are read: RJ short streams side by side (a 576-long row is 18 lines) end before the hardware
// prefetcher has learnt them, and at 4 rows of A the tiles read the weights at a third of one
// row's rate. Into L1 instead, the prefetches waited on its few fill buffers (8 rows: 22 against
// 28-34 GB/s on SmolLM2's shapes).
template <int RM, int RJ>
ONNXGEN_BF16_TARGET inline void dot_tile(int64_t k, const BFloat16* a, const BFloat16* b, float* c, int64_t ldc) {
  __m512 acc[RM][RJ];
  for (int i = 0; i < RM; ++i)
    for (int q = 0; q < RJ; ++q) acc[i][q] = _mm512_setzero_ps();
  const char* next = reinterpret_cast<const char*>(b + RJ * k);
  int64_t kk = 0;
  for (; kk + 32 <= k; kk += 32, next += RJ * 64) {
    if constexpr (RJ > 1)
      for (int q = 0; q < RJ; ++q) _mm_prefetch(next + q * 64, _MM_HINT_T1);
    dot_step<RM, RJ, false>(acc, k, a, b, kk, 32);
  }
  if (kk < k) dot_step<RM, RJ, true>(acc, k, a, b, kk, k - kk);
  for (int i = 0; i < RM; ++i) {
    if constexpr (RJ == 4) {
      horizontal_sum4(acc[i][0], acc[i][1], acc[i][2], acc[i][3], c + i * ldc);
      continue;
    }
    for (int q = 0; q < RJ; ++q) c[i * ldc + q] = horizontal_sum(acc[i][q]);
  }
}

// One row of A against one of B, in two sums over alternate chunks: one chain of dpbf16s would
// wait on each one's latency, slower than a row of weights streams in.
ONNXGEN_BF16_TARGET inline float dot_one(int64_t k, const BFloat16* a, const BFloat16* b) {
  __m512 even = _mm512_setzero_ps(), odd = _mm512_setzero_ps();
  int64_t kk = 0;
  for (; kk + 64 <= k; kk += 64) {
    even = _mm512_dpbf16_ps(even, load32(a + kk), load32(b + kk));
    odd = _mm512_dpbf16_ps(odd, load32(a + kk + 32), load32(b + kk + 32));
  }
  for (; kk < k; kk += 32) {
    const int64_t count = std::min<int64_t>(32, k - kk);
    even = _mm512_dpbf16_ps(even, load32(a + kk, count), load32(b + kk, count));
  }
  return horizontal_sum(_mm512_add_ps(even, odd));
}

// c[r][j] for one to four rows j of the weights, met by A in tiles of up to four rows while they
// are in L1, so a batch of rows reads the weights once.
template <int RJ>
ONNXGEN_BF16_TARGET void dot_rows(int64_t m, int64_t k, const BFloat16* a, const BFloat16* bj, float* c, int64_t ldc) {
  int64_t r = 0;
  for (; r + 4 <= m; r += 4) dot_tile<4, RJ>(k, a + r * k, bj, c + r * ldc, ldc);
  switch (m - r) {
    case 3: dot_tile<3, RJ>(k, a + r * k, bj, c + r * ldc, ldc); break;
    case 2: dot_tile<2, RJ>(k, a + r * k, bj, c + r * ldc, ldc); break;
    case 1:
      if constexpr (RJ == 1)
        c[r * ldc] = dot_one(k, a + r * k, bj);
      else
        dot_tile<1, RJ>(k, a + r * k, bj, c + r * ldc, ldc);
      break;
    default: break;
  }
}

ONNXGEN_BF16_TARGET void dot_range(int64_t m, int64_t n, int64_t k, int64_t j0, int64_t j1, const BFloat16* a,
                                   const BFloat16* b, float* c) {
  int64_t j = j0;
  // One row of A streams the weights row after row, the order the hardware prefetcher follows.
  if (m > 1)
    for (; j + 4 <= j1; j += 4) dot_rows<4>(m, k, a, b + j * k, c + j, n);
  for (; j < j1; ++j) dot_rows<1>(m, k, a, b + j * k, c + j, n);
}

}  // namespace
#endif

bool gemv_bf16_supported() {
#ifdef ONNXGEN_GEMV_BF16_X86
  static const bool supported = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                                __builtin_cpu_supports("avx512bf16");
  return supported;
#else
  return false;
#endif
}

void gemv_bf16(ThreadPool& pool, int64_t m, int64_t n, int64_t k, const BFloat16* a, const BFloat16* b, float* c) {
  ONNXGEN_CHECK(gemv_bf16_supported(), "gemv_bf16 needs AVX512_BF16, which this CPU lacks");
  ONNXGEN_CHECK(m >= 0 && m <= kGemvBf16MaxRows, "gemv_bf16 takes at most ", kGemvBf16MaxRows, " rows, got ", m);
#ifdef ONNXGEN_GEMV_BF16_X86
  if (m * n == 0) return;
  // Ranges of a few KiB of weights, claimed as threads come free.
  pool.parallel_for(n, std::max<int64_t>(4, 16384 / std::max<int64_t>(1, k)) / 4 * 4,
                    [&](int64_t j0, int64_t j1) { dot_range(m, n, k, j0, j1, a, b, c); });
#endif
}

}  // namespace onnxgen
