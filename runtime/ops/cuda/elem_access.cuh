#pragma once
// Loads and stores of any ElemType through float (or double, for casts), switched at run time:
// one kernel serves every type, which keeps the CUDA build small; the switch is uniform across a
// warp, so it costs a few instructions, not divergence.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "runtime/ops/cuda/kernels.h"

namespace onnxgen::cuda {

__device__ __forceinline__ float load_float(const void* p, int64_t i, ElemType t) {
  switch (t) {
    case ElemType::kF32: return static_cast<const float*>(p)[i];
    case ElemType::kF16: return __half2float(static_cast<const __half*>(p)[i]);
    case ElemType::kBF16: return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
    case ElemType::kI32: return static_cast<float>(static_cast<const int32_t*>(p)[i]);
    case ElemType::kI64: return static_cast<float>(static_cast<const int64_t*>(p)[i]);
    case ElemType::kBool: return static_cast<const bool*>(p)[i] ? 1.f : 0.f;
  }
  return 0.f;
}

__device__ __forceinline__ void store_float(void* p, int64_t i, ElemType t, float v) {
  switch (t) {
    case ElemType::kF32: static_cast<float*>(p)[i] = v; break;
    case ElemType::kF16: static_cast<__half*>(p)[i] = __float2half_rn(v); break;
    case ElemType::kBF16: static_cast<__nv_bfloat16*>(p)[i] = __float2bfloat16_rn(v); break;
    case ElemType::kI32: static_cast<int32_t*>(p)[i] = static_cast<int32_t>(v); break;
    case ElemType::kI64: static_cast<int64_t*>(p)[i] = static_cast<int64_t>(v); break;
    case ElemType::kBool: static_cast<bool*>(p)[i] = v != 0.f; break;
  }
}

inline unsigned blocks_for(int64_t n, int threads) {
  int64_t b = (n + threads - 1) / threads;
  return static_cast<unsigned>(b < 65535 * 32 ? b : 65535 * 32);
}

}  // namespace onnxgen::cuda
