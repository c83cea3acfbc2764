#pragma once
// Horizontal sums of AVX-512 float vectors, for kernels compiled for AVX-512 by target attributes.
// Zero-masked shuffles throughout: _mm512_reduce_add_ps, the plain shuffles and even the cast to
// 256 bits read an "undefined" register GCC 12 warns about.
#include <immintrin.h>

namespace onnxgen {

__attribute__((target("avx512f"))) inline float horizontal_sum(__m512 v) {
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(0xffff, v, v, 0x4e));  // 256-bit halves
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(0xffff, v, v, 0xb1));  // 128-bit quarters
  v = _mm512_add_ps(v, _mm512_maskz_permute_ps(0xffff, v, 0x4e));        // pairs
  v = _mm512_add_ps(v, _mm512_maskz_permute_ps(0xffff, v, 0xb1));        // neighbours
  return _mm512_cvtss_f32(v);
}

// The four totals of s0..s3 into out[0..3], sharing the shuffles: reducing each alone cost as much
// as a 576-long dot product's multiplies at 8 rows of A (gemv_bf16).
__attribute__((target("avx512f"))) inline void horizontal_sum4(__m512 s0, __m512 s1, __m512 s2, __m512 s3,
                                                               float* out) {
  // Within each 128-bit lane: pairs of s0/s1 and s2/s3 folded, then [s0, s1, s2, s3] partials.
  const __m512 t0 = _mm512_add_ps(_mm512_maskz_unpacklo_ps(0xffff, s0, s1), _mm512_maskz_unpackhi_ps(0xffff, s0, s1));
  const __m512 t1 = _mm512_add_ps(_mm512_maskz_unpacklo_ps(0xffff, s2, s3), _mm512_maskz_unpackhi_ps(0xffff, s2, s3));
  __m512 u = _mm512_add_ps(_mm512_maskz_shuffle_ps(0xffff, t0, t1, 0x44), _mm512_maskz_shuffle_ps(0xffff, t0, t1, 0xee));
  u = _mm512_add_ps(u, _mm512_maskz_shuffle_f32x4(0xffff, u, u, 0x4e));  // 256-bit halves
  u = _mm512_add_ps(u, _mm512_maskz_shuffle_f32x4(0xffff, u, u, 0xb1));  // 128-bit quarters
  _mm512_mask_storeu_ps(out, 0xf, u);
}

}  // namespace onnxgen
