// MatMulNBits on the GPU. Decode's GEMV gives each warp one row of B: every lane reads four bytes
// (eight codes, always inside one block) per step, dequantises them once and multiplies them into
// all m rows of A, so the packed weights stream from memory exactly once per call. Prefill
// dequantises B into a [k, n] matrix for cuBLAS.
#include <cfloat>

#include "runtime/ops/cuda/elem_access.cuh"

namespace onnxgen::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;
constexpr int kCodesPerWord = 8;

__device__ __forceinline__ float zero_point(const NBitsArgs& p, int64_t row, int64_t blk) {
  if (!p.zero_points) return 8.f;
  if (!p.zero_points_packed) return load_float(p.zero_points, row * p.blocks + blk, p.zero_point_type);
  const uint8_t byte = static_cast<const uint8_t*>(p.zero_points)[row * ((p.blocks + 1) / 2) + blk / 2];
  return static_cast<float>(blk % 2 ? byte >> 4 : byte & 0x0f);
}

__global__ void gemv_kernel(NBitsArgs p, const void* a, ElemType t, void* y) {
  const int64_t row = int64_t{blockIdx.x} * kWarps + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (row >= p.n) return;
  const int64_t row_words = p.blocks * p.block_size / kCodesPerWord;
  const uint32_t* words = reinterpret_cast<const uint32_t*>(p.codes) + row * row_words;
  float acc[kNBitsGemvMaxRows] = {};
  for (int64_t w = lane; w < row_words; w += 32) {
    const uint32_t word = words[w];
    const int64_t k0 = w * kCodesPerWord;
    const int64_t blk = k0 / p.block_size;
    const float scale = load_float(p.scales, row * p.blocks + blk, p.scale_type);
    const float zp = zero_point(p, row, blk);
    float wv[kCodesPerWord];
#pragma unroll
    for (int c = 0; c < kCodesPerWord; ++c) wv[c] = (static_cast<float>((word >> (4 * c)) & 0x0f) - zp) * scale;
    const int valid = p.k - k0 < kCodesPerWord ? static_cast<int>(p.k - k0) : kCodesPerWord;  // the last block's padding
    // Fixed trip counts keep acc in registers.
#pragma unroll
    for (int r = 0; r < kNBitsGemvMaxRows; ++r) {
      if (r >= p.m) break;
      float s = 0.f;
      for (int c = 0; c < valid; ++c) s += wv[c] * load_float(a, r * p.k + k0 + c, t);
      acc[r] += s;
    }
  }
#pragma unroll
  for (int r = 0; r < kNBitsGemvMaxRows; ++r) {
    if (r >= p.m) break;
    float v = acc[r];
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    if (lane == 0) store_float(y, r * p.n + row, t, v + (p.bias ? load_float(p.bias, row, t) : 0.f));
  }
}

__global__ void dequantize_kernel(NBitsArgs p, void* w_t, ElemType t) {
  const int64_t total = p.k * p.n;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < total; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t row = i % p.n, k = i / p.n;  // consecutive threads write consecutive columns of w_t
    const int64_t blk = k / p.block_size;
    const uint8_t byte = p.codes[(row * p.blocks * p.block_size + k) / 2];
    const float code = static_cast<float>(k % 2 ? byte >> 4 : byte & 0x0f);
    store_float(w_t, i, t, (code - zero_point(p, row, blk)) * load_float(p.scales, row * p.blocks + blk, p.scale_type));
  }
}

// One warp per (row, block) of A.
__global__ void quantize_a_kernel(const void* a, ElemType t, int64_t m, int64_t k, int64_t block_size, void* out) {
  const int64_t blocks = (k + block_size - 1) / block_size;
  const int64_t task = (blockIdx.x * int64_t{blockDim.x} + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (task >= m * blocks) return;
  const int64_t r = task / blocks, begin = (task % blocks) * block_size;
  const int64_t end = begin + block_size < k ? begin + block_size : k;
  float amax = 0.f;
  for (int64_t i = begin + lane; i < end; i += 32) amax = fmaxf(amax, fabsf(load_float(a, r * k + i, t)));
  for (int o = 16; o > 0; o >>= 1) amax = fmaxf(amax, __shfl_xor_sync(0xffffffffu, amax, o));
  const float scale = amax / 127.f;
  const float inv = scale != 0.f ? 1.f / scale : 0.f;
  for (int64_t i = begin + lane; i < end; i += 32)
    store_float(out, r * k + i, t, rintf(load_float(a, r * k + i, t) * inv) * scale);
}

}  // namespace

void nbits_gemv(const NBitsArgs& p, const void* a, ElemType type, void* y, cudaStream_t stream) {
  if (p.m == 0 || p.n == 0) return;
  gemv_kernel<<<static_cast<unsigned>((p.n + kWarps - 1) / kWarps), kThreads, 0, stream>>>(p, a, type, y);
  check_launch("MatMulNBits gemv");
}

void nbits_dequantize(const NBitsArgs& p, void* w_t, ElemType type, cudaStream_t stream) {
  if (p.n == 0) return;
  dequantize_kernel<<<blocks_for(p.k * p.n, kThreads), kThreads, 0, stream>>>(p, w_t, type);
  check_launch("MatMulNBits dequantize");
}

void nbits_quantize_a(const void* a, ElemType type, int64_t m, int64_t k, int64_t block_size, void* out,
                      cudaStream_t stream) {
  const int64_t tasks = m * ((k + block_size - 1) / block_size);
  if (tasks == 0) return;
  quantize_a_kernel<<<static_cast<unsigned>((tasks + kWarps - 1) / kWarps), kThreads, 0, stream>>>(a, type, m, k,
                                                                                                   block_size, out);
  check_launch("MatMulNBits quantize A");
}

}  // namespace onnxgen::cuda
