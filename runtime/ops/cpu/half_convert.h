#pragma once
// Branch-free float16/bfloat16 <-> float conversions with the same results as half.h's
// (round to nearest even, NaN kept quiet), written with selects only so that GCC vectorises
// loops over half tensors; half.h's branchy forms keep such loops scalar.
#include <bit>
#include <cstdint>

#include "runtime/core/half.h"

namespace onnxgen {

inline float half_to_float(Float16 h) {
  const uint32_t sign = static_cast<uint32_t>(h.bits & 0x8000u) << 16;
  const uint32_t shifted = static_cast<uint32_t>(h.bits & 0x7fffu) << 13;  // exponent and mantissa in place
  const uint32_t exponent = shifted & 0x0f800000u;
  const uint32_t rebiased = shifted + ((127u - 15u) << 23);
  // Inf/NaN: push the exponent to all ones. Subnormal/zero: let the FPU normalise by
  // subtracting the implicit 2^-14 that the rebias added.
  const uint32_t special = rebiased + ((128u - 16u) << 23);
  const float subnormal = std::bit_cast<float>(rebiased + (1u << 23)) - std::bit_cast<float>(113u << 23);
  const uint32_t magnitude = exponent == 0x0f800000u ? special
                             : exponent == 0        ? std::bit_cast<uint32_t>(subnormal)
                                                    : rebiased;
  return std::bit_cast<float>(sign | magnitude);
}

inline Float16 float_to_half(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  const uint32_t sign = (bits >> 16) & 0x8000u;
  const uint32_t abs = bits & 0x7fffffffu;
  const uint32_t overflow = abs > 0x7f800000u ? 0x7e00u : 0x7c00u;
  // Below 2^-14 the result is subnormal: adding 0.5 aligns the mantissa so the FPU rounds it.
  const uint32_t subnormal = std::bit_cast<uint32_t>(std::bit_cast<float>(abs) + 0.5f) - 0x3f000000u;
  // Normal: rebias the exponent and round to nearest even on the 13 dropped bits.
  const uint32_t normal = (abs + 0xc8000fffu + ((abs >> 13) & 1u)) >> 13;
  const uint32_t magnitude = abs >= 0x477ff000u ? overflow : abs < 0x38800000u ? subnormal : normal;
  Float16 h;
  h.bits = static_cast<uint16_t>(sign | magnitude);
  return h;
}

inline float half_to_float(BFloat16 b) { return std::bit_cast<float>(static_cast<uint32_t>(b.bits) << 16); }

inline BFloat16 float_to_bfloat16(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const uint32_t rounded = (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
  const uint32_t quiet_nan = (x >> 16) | 0x40u;
  BFloat16 b;
  b.bits = static_cast<uint16_t>((x & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded);
  return b;
}

// dst[i] = half_to_float(src[i]) for n values, compiled per instruction set (float16 KV cache
// rows widened for the attention kernels).
void widen_halves(const Float16* src, float* dst, int64_t n);

}  // namespace onnxgen
