#include "runtime/ops/cpu/gemv_half.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "runtime/ops/cpu/gemv_partition.h"
#include "runtime/ops/cpu/half_convert.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(ONNXGEN_NO_MULTIVERSIONING)
#define ONNXGEN_GEMV_HALF_X86 1
#include <immintrin.h>
// Registers wider than the baseline ABI's pass only between functions that flatten inlines into
// one compiled for the wider instruction set; GCC warns at each such call before inlining.
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace onnxgen {
namespace {

// An instruction set: Vec, a register of kLanes floats (loaded and stored unaligned), and
// load(p), kLanes stored weights widened into one. The kernels below are written once over it.
struct Portable {
  typedef float Vec __attribute__((vector_size(16), aligned(4), may_alias));
  static constexpr int64_t kLanes = 4;
  template <class T>
  static Vec load(const T* p) {
    return Vec{half_to_float(p[0]), half_to_float(p[1]), half_to_float(p[2]), half_to_float(p[3])};
  }
};

#ifdef ONNXGEN_GEMV_HALF_X86
#define ONNXGEN_AVX2 "avx2,f16c,fma"
struct Avx2 {
  typedef float Vec __attribute__((vector_size(32), aligned(4), may_alias));
  static constexpr int64_t kLanes = 8;
  __attribute__((target(ONNXGEN_AVX2))) static Vec load(const Float16* p) {
    return reinterpret_cast<Vec>(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
  }
  // A bfloat16 is the top half of a float32's bits.
  __attribute__((target(ONNXGEN_AVX2))) static Vec load(const BFloat16* p) {
    const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return reinterpret_cast<Vec>(_mm256_castsi256_ps(_mm256_slli_epi32(wide, 16)));
  }
};

struct Avx512 {
  typedef float Vec __attribute__((vector_size(64), aligned(4), may_alias));
  static constexpr int64_t kLanes = 16;
  // The zero-masked forms: the plain ones read an "undefined" register GCC 12 warns about.
  __attribute__((target("avx512f"))) static Vec load(const Float16* p) {
    return reinterpret_cast<Vec>(
        _mm512_maskz_cvtph_ps(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))));
  }
  __attribute__((target("avx512f"))) static Vec load(const BFloat16* p) {
    const __m512i wide = _mm512_maskz_cvtepu16_epi32(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    return reinterpret_cast<Vec>(_mm512_castsi512_ps(_mm512_maskz_slli_epi32(0xffff, wide, 16)));
  }
};
#endif

constexpr int kRowsPerPass = 8;

// acc[r][0..cols) += sum over kk in [0, k) of a[r][kk] * b[kk][0..cols). kRowsPerPass rows of B
// at a time, each vector of those rows widened once and met by every row of A, so that a batch
// of rows costs one read of B and a row's sums one trip through L1 per kRowsPerPass rows of B.
template <class Isa, class T>
void accumulate_rows(int64_t m, int64_t k, int64_t cols, const float* __restrict a, int64_t lda,
                     const T* __restrict b, int64_t ldb, float* __restrict acc, int64_t ldacc) {
  using Vec = typename Isa::Vec;
  const int64_t vec_cols = cols / Isa::kLanes * Isa::kLanes;
  for (int64_t kk = 0; kk < k; kk += kRowsPerPass) {
    const T* bp = b + kk * ldb;
    const int64_t pass = std::min<int64_t>(kRowsPerPass, k - kk);
    if (pass == kRowsPerPass) {
      for (int64_t j = 0; j < vec_cols; j += Isa::kLanes) {
        Vec v[kRowsPerPass];
        for (int i = 0; i < kRowsPerPass; ++i) v[i] = Isa::load(bp + i * ldb + j);
        for (int64_t r = 0; r < m; ++r) {
          const float* ar = a + r * lda + kk;
          Vec sum = ar[0] * v[0];
          for (int i = 1; i < kRowsPerPass; ++i) sum += ar[i] * v[i];
          *reinterpret_cast<Vec*>(acc + r * ldacc + j) += sum;
        }
      }
    } else {
      for (int64_t i = 0; i < pass; ++i)
        for (int64_t j = 0; j < vec_cols; j += Isa::kLanes) {
          const Vec v = Isa::load(bp + i * ldb + j);
          for (int64_t r = 0; r < m; ++r) *reinterpret_cast<Vec*>(acc + r * ldacc + j) += a[r * lda + kk + i] * v;
        }
    }
    for (int64_t r = 0; r < m; ++r) {
      const float* ar = a + r * lda + kk;
      float* out = acc + r * ldacc;
      for (int64_t j = vec_cols; j < cols; ++j)
        for (int64_t i = 0; i < pass; ++i) out[j] += ar[i] * half_to_float(bp[i * ldb + j]);
    }
  }
}

// c[r][j] = dot(a[r], b[j]) for j in [j0, j1), B stored [n][k]. Row j of B is a few KiB, so it
// stays in L1 while every row of A meets it.
template <class Isa, class T>
void dot_rows(int64_t m, int64_t k, int64_t j0, int64_t j1, const float* __restrict a, const T* __restrict b,
              float* __restrict c, int64_t ldc) {
  using Vec = typename Isa::Vec;
  for (int64_t j = j0; j < j1; ++j) {
    const T* bj = b + j * k;
    for (int64_t r = 0; r < m; ++r) {
      const float* ar = a + r * k;
      Vec lanes = {};
      int64_t kk = 0;
      for (; kk + Isa::kLanes <= k; kk += Isa::kLanes)
        lanes += *reinterpret_cast<const Vec*>(ar + kk) * Isa::load(bj + kk);
      float sum = 0;
      for (; kk < k; ++kk) sum += ar[kk] * half_to_float(bj[kk]);
      for (int64_t l = 0; l < Isa::kLanes; ++l) sum += lanes[l];
      c[r * ldc + j] = sum;
    }
  }
}

template <class T>
struct Kernels {
  decltype(&accumulate_rows<Portable, T>) accumulate;
  decltype(&dot_rows<Portable, T>) dots;
};

#ifdef ONNXGEN_GEMV_HALF_X86
// Entry points compiled for their instruction set: flatten inlines the kernel and its loads
// into them, where the intrinsics' target is available.
template <class T>
__attribute__((target("avx512f"), flatten)) void accumulate_avx512(int64_t m, int64_t k, int64_t cols,
                                                                    const float* a, int64_t lda, const T* b,
                                                                    int64_t ldb, float* acc, int64_t ldacc) {
  accumulate_rows<Avx512>(m, k, cols, a, lda, b, ldb, acc, ldacc);
}
template <class T>
__attribute__((target("avx512f"), flatten)) void dots_avx512(int64_t m, int64_t k, int64_t j0, int64_t j1,
                                                              const float* a, const T* b, float* c, int64_t ldc) {
  dot_rows<Avx512>(m, k, j0, j1, a, b, c, ldc);
}
template <class T>
__attribute__((target(ONNXGEN_AVX2), flatten)) void accumulate_avx2(int64_t m, int64_t k, int64_t cols,
                                                                     const float* a, int64_t lda, const T* b,
                                                                     int64_t ldb, float* acc, int64_t ldacc) {
  accumulate_rows<Avx2>(m, k, cols, a, lda, b, ldb, acc, ldacc);
}
template <class T>
__attribute__((target(ONNXGEN_AVX2), flatten)) void dots_avx2(int64_t m, int64_t k, int64_t j0, int64_t j1,
                                                               const float* a, const T* b, float* c, int64_t ldc) {
  dot_rows<Avx2>(m, k, j0, j1, a, b, c, ldc);
}
#endif

template <class T>
Kernels<T> kernels_for_this_cpu() {
#ifdef ONNXGEN_GEMV_HALF_X86
  if (__builtin_cpu_supports("avx512f")) return {accumulate_avx512<T>, dots_avx512<T>};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c") && __builtin_cpu_supports("fma"))
    return {accumulate_avx2<T>, dots_avx2<T>};
#endif
  return {accumulate_rows<Portable, T>, dot_rows<Portable, T>};
}

template <class T>
T narrow(float v) {
  if constexpr (std::is_same_v<T, Float16>)
    return float_to_half(v);
  else
    return float_to_bfloat16(v);
}

// float A and C, a half B, split as gemv_f32 splits its products.
template <class T>
void gemv_widening(ThreadPool& pool, int64_t m, int64_t n, int64_t k, bool trans_b, const float* a, const T* b,
                   float* c) {
  static const Kernels<T> kernels = kernels_for_this_cpu<T>();
  gemv::partition(
      pool, m, n, k, trans_b, c, [&](int64_t j0, int64_t j1) { kernels.dots(m, k, j0, j1, a, b, c, n); },
      [&](int64_t k0, int64_t k1, int64_t j0, int64_t cols, float* sums, int64_t ld) {
        kernels.accumulate(m, k1 - k0, cols, a + k0, k, b + k0 * n + j0, n, sums, ld);
      });
}

template <class T>
void gemv_half_typed(ThreadPool& pool, int64_t m, int64_t n, int64_t k, bool trans_b, const T* a, const T* b, T* c) {
  if (m * n == 0) return;
  thread_local std::vector<float> wide_a, wide_c;
  wide_a.resize(static_cast<size_t>(m * k));
  wide_c.resize(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m * k; ++i) wide_a[static_cast<size_t>(i)] = half_to_float(a[i]);
  gemv_widening(pool, m, n, k, trans_b, wide_a.data(), b, wide_c.data());
  for (int64_t i = 0; i < m * n; ++i) c[i] = narrow<T>(wide_c[static_cast<size_t>(i)]);
}

}  // namespace

void gemv_half(ThreadPool& pool, int64_t m, int64_t n, int64_t k, bool trans_b, const Float16* a, const Float16* b,
               Float16* c) {
  gemv_half_typed(pool, m, n, k, trans_b, a, b, c);
}

void gemv_half(ThreadPool& pool, int64_t m, int64_t n, int64_t k, bool trans_b, const BFloat16* a, const BFloat16* b,
               BFloat16* c) {
  gemv_half_typed(pool, m, n, k, trans_b, a, b, c);
}

}  // namespace onnxgen
