#pragma once
// Float approximations of exp, log, tanh, erf and the activations built on them, written without
// branches or libm calls so that GCC vectorises any loop that calls them (libm's expf and friends
// stop vectorisation unless -ffast-math). Each stays within a few ulp of the correctly rounded
// result over the whole float range, with IEEE behaviour at 0, +-inf and NaN (vector_math_test
// measures it). The array forms below are compiled per ISA by ONNXGEN_SIMD_CLONES.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace onnxgen {

namespace vector_math_detail {

// Horner's rule over coefficients given lowest degree first.
template <size_t N>
inline float polynomial(float x, const float (&c)[N]) {
  float p = c[N - 1];
  for (size_t i = N - 1; i-- > 0;) p = p * x + c[i];
  return p;
}

// c ? a : b as bit operations. GCC will not if-convert a float ternary whose arms it has sunk
// into branches (they might trap under the default -ftrapping-math), which blocks vectorisation.
inline float select(bool c, float a, float b) {
  const int32_t mask = -static_cast<int32_t>(c);
  return std::bit_cast<float>((std::bit_cast<int32_t>(a) & mask) | (std::bit_cast<int32_t>(b) & ~mask));
}

inline constexpr float kLn2Hi = 0.693145752f;  // few mantissa bits, so n * kLn2Hi is exact
inline constexpr float kLn2Lo = 1.42860677e-06f;

}  // namespace vector_math_detail

inline float exp_approx(float x) {
  // Comparisons written so that NaN passes through unclamped.
  x = vector_math_detail::select(x > 88.73f, 88.73f, x);
  x = vector_math_detail::select(x < -104.0f, -104.0f, x);
  // e^x = 2^n * e^r with n = round(x / ln2): adding 1.5 * 2^23 rounds and leaves n in the low
  // mantissa bits, which avoids a float-to-int conversion (undefined for NaN).
  const float shifted = x * 1.44269504f + 12582912.0f;
  const int32_t n = std::bit_cast<int32_t>(shifted) - 0x4B400000;
  const float nf = shifted - 12582912.0f;
  const float r = (x - nf * vector_math_detail::kLn2Hi) - nf * vector_math_detail::kLn2Lo;
  static constexpr float kP[] = {0.500000001f, 0.166666651f, 0.0416665034f, 0.00833390453f, 0.00139297608f, 0.000194532372f};
  const float er = 1.0f + r + r * r * vector_math_detail::polynomial(r, kP);
  // 2^n in two factors so that n down to -150 (subnormal results) and up to 128 (overflow to
  // inf) need no special case.
  const int32_t n1 = n >> 1;
  const int32_t n2 = n - n1;
  return er * std::bit_cast<float>(static_cast<uint32_t>(n1 + 127) << 23) *
         std::bit_cast<float>(static_cast<uint32_t>(n2 + 127) << 23);
}

inline float log_approx(float x) {
  const bool subnormal = x < std::numeric_limits<float>::min();
  const float xs = vector_math_detail::select(subnormal, x * 8388608.0f, x);  // 2^23 brings subnormals into the normal range
  // Unsigned bit arithmetic: negative inputs (NaN results) must not overflow a signed int.
  const uint32_t bits = std::bit_cast<uint32_t>(xs);
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)), so |log m| is small on both sides of 1.
  const int32_t e = static_cast<int32_t>(bits - 0x3F3504F3u) >> 23;
  const float m = std::bit_cast<float>(bits - (static_cast<uint32_t>(e) << 23));
  const float ef = static_cast<float>(e) - vector_math_detail::select(subnormal, 23.0f, 0.0f);
  // log m = 2 atanh(s) with s = (m - 1) / (m + 1), |s| <= 0.172: the odd series converges fast.
  const float f = m - 1.0f;
  const float s = f / (2.0f + f);
  const float s2 = s * s;
  static constexpr float kQ[] = {2.0f / 3.0f, 2.0f / 5.0f, 2.0f / 7.0f, 2.0f / 9.0f};
  const float log_m = 2.0f * s + s * s2 * vector_math_detail::polynomial(s2, kQ);
  const float y = ef * vector_math_detail::kLn2Hi + (log_m + ef * vector_math_detail::kLn2Lo);
  constexpr float kInf = std::numeric_limits<float>::infinity();
  const float nonpositive = vector_math_detail::select(x == 0, -kInf, std::numeric_limits<float>::quiet_NaN());
  return vector_math_detail::select(x > 0, vector_math_detail::select(x < kInf, y, x), nonpositive);
}

// log(1 + e) for e >= 0 without losing e's precision when it is small next to 1.
inline float log1p_approx(float e) {
  const float u = 1.0f + e;
  const float d = u - 1.0f;
  // log(u) is exact for the rounded u; scaling by e / (u - 1) corrects for that rounding.
  return vector_math_detail::select(d == 0.0f, e, log_approx(u) * (e / d));
}

inline float tanh_approx(float x) {
  const float a = std::fabs(x);
  const float x2 = x * x;
  static constexpr float kP[] = {-0.333333328f, 0.133332752f, -0.0539545847f, 0.0217390578f, -0.0082626325f, 0.00221342825f};
  const float small = x + x * x2 * vector_math_detail::polynomial(x2, kP);
  // 1 - 2 / (e^2a + 1) cancels badly only below 0.625, where the polynomial takes over.
  const float large = std::copysign(1.0f - 2.0f / (exp_approx(2.0f * a) + 1.0f), x);
  return vector_math_detail::select(a < 0.625f, small, large);
}

inline float erf_approx(float x) {
  const float a = std::fabs(x);
  static constexpr float kSmall[] = {1.12837916f, -0.376126117f, 0.112834559f, -0.026849001f, 0.00517983989f, -0.000793932753f, 7.62833016e-05f};
  const float small = x * vector_math_detail::polynomial(x * x, kSmall);
  // Above 1: erf = 1 - e^(-a^2) * erfcx(a), erfcx fitted around 2.46 on [1, 3.92]; beyond 3.92
  // erf rounds to 1.
  static constexpr float kErfcx[] = {0.213820677f, -0.0763814314f, 0.0259223685f, -0.0084083695f, 0.00261883446f,
                                     -0.000786006605f, 0.000228465971f, -6.47019899e-05f, 1.73966532e-05f,
                                     -4.2774947e-06f, 1.2401178e-06f, -4.57768687e-07f, 9.18853994e-08f};
  const float ac = vector_math_detail::select(a > 3.92f, 3.92f, a);
  const float large = std::copysign(1.0f - exp_approx(-ac * ac) * vector_math_detail::polynomial(ac - 2.46f, kErfcx), x);
  return vector_math_detail::select(a <= 1.0f, small, large);
}

// e^-|x| never overflows, so the tails stay exact down to subnormal results.
inline float sigmoid_approx(float x) {
  const float e = exp_approx(-std::fabs(x));
  const float r = 1.0f / (1.0f + e);
  return vector_math_detail::select(x < 0, e * r, r);
}

inline float silu_approx(float x) { return x * sigmoid_approx(x); }

// log(1 + e^x), exact in the tails: max(x, 0) + log1p(e^-|x|).
inline float softplus_approx(float x) {
  return vector_math_detail::select(x > 0, x, 0.0f) + log1p_approx(exp_approx(-std::fabs(x)));
}

// Gelu with the exact (erf) form. For x < -1, 1 + erf cancels: the error there is absolute
// (about 1e-7 * |x|), not a few ulp of the small result.
inline float gelu_approx(float x) { return 0.5f * x * (1.0f + erf_approx(x * 0.707106781f)); }

// Gelu with the tanh approximation (ONNX Gelu approximate="tanh", com.microsoft FastGelu).
inline float gelu_tanh_approx(float x) {
  return 0.5f * x * (1.0f + tanh_approx(0.797884561f * (x + 0.044715f * x * x * x)));
}

// Element functions generic over a kernel's compute type: float takes the approximations above,
// double (whose point is precision) takes libm.
template <class C>
inline C exp_of(C x) {
  if constexpr (std::is_same_v<C, float>) return exp_approx(x);
  else return std::exp(x);
}
template <class C>
inline C log_of(C x) {
  if constexpr (std::is_same_v<C, float>) return log_approx(x);
  else return std::log(x);
}
template <class C>
inline C tanh_of(C x) {
  if constexpr (std::is_same_v<C, float>) return tanh_approx(x);
  else return std::tanh(x);
}
template <class C>
inline C erf_of(C x) {
  if constexpr (std::is_same_v<C, float>) return erf_approx(x);
  else return std::erf(x);
}
template <class C>
inline C sigmoid_of(C x) {
  if constexpr (std::is_same_v<C, float>) return sigmoid_approx(x);
  else return 1 / (1 + std::exp(-x));
}
template <class C>
inline C softplus_of(C x) {
  if constexpr (std::is_same_v<C, float>) return softplus_approx(x);
  else return (x > 0 ? x : 0) + std::log1p(std::exp(-std::fabs(x)));
}
template <class C>
inline C gelu_of(C x) {
  if constexpr (std::is_same_v<C, float>) return gelu_approx(x);
  else return 0.5 * x * (1 + std::erf(x * M_SQRT1_2));
}
template <class C>
inline C gelu_tanh_of(C x) {
  if constexpr (std::is_same_v<C, float>) return gelu_tanh_approx(x);
  else return 0.5 * x * (1 + std::tanh(std::sqrt(M_2_PI) * (x + 0.044715 * x * x * x)));
}

// Array forms: y[i] = f(x[i]); y may equal x.
void exp_approx(const float* x, float* y, int64_t n);
void log_approx(const float* x, float* y, int64_t n);
void tanh_approx(const float* x, float* y, int64_t n);
void erf_approx(const float* x, float* y, int64_t n);
void sigmoid_approx(const float* x, float* y, int64_t n);
void silu_approx(const float* x, float* y, int64_t n);
void gelu_approx(const float* x, float* y, int64_t n);
void gelu_tanh_approx(const float* x, float* y, int64_t n);

inline void exp_inplace(float* x, int64_t n) { exp_approx(x, x, n); }

// Softmax's inner step: y[i] = e^(x[i] - shift), returning the sum of the y[i] (accumulated in
// 16 lanes, so it vectorises without -ffast-math). y may equal x.
float exp_shifted_sum(const float* x, float shift, float* y, int64_t n);

}  // namespace onnxgen
