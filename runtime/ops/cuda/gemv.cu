// y = a w for a few rows of a (decode): w streamed once in 16-byte loads, each thread owning a
// vector of adjacent columns and the block's eight warps taking interleaved rows of w; the K
// dimension is split over blocks when the columns alone would leave the GPU idle, and the last
// block of a column tile to finish adds the splits' sums (no second launch, no memset).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "runtime/ops/cuda/kernels.h"

namespace onnxgen::cuda {
namespace {

constexpr int kWarps = 8;

template <class T>
constexpr int kVec = 16 / static_cast<int>(sizeof(T));

template <class T>
__device__ __forceinline__ void widen(const uint4& raw, float* f);
template <>
__device__ __forceinline__ void widen<float>(const uint4& raw, float* f) {
  f[0] = __uint_as_float(raw.x);
  f[1] = __uint_as_float(raw.y);
  f[2] = __uint_as_float(raw.z);
  f[3] = __uint_as_float(raw.w);
}
template <>
__device__ __forceinline__ void widen<__half>(const uint4& raw, float* f) {
  const auto* h = reinterpret_cast<const __half2*>(&raw);
  for (int i = 0; i < 4; ++i) {
    const float2 p = __half22float2(h[i]);
    f[2 * i] = p.x;
    f[2 * i + 1] = p.y;
  }
}
template <>
__device__ __forceinline__ void widen<__nv_bfloat16>(const uint4& raw, float* f) {
  const auto* h = reinterpret_cast<const __nv_bfloat162*>(&raw);
  for (int i = 0; i < 4; ++i) {
    const float2 p = __bfloat1622float2(h[i]);
    f[2 * i] = p.x;
    f[2 * i + 1] = p.y;
  }
}

__device__ __forceinline__ float as_float(float v) { return v; }
__device__ __forceinline__ float as_float(__half v) { return __half2float(v); }
__device__ __forceinline__ float as_float(__nv_bfloat16 v) { return __bfloat162float(v); }

template <class T>
__device__ __forceinline__ T narrow(float v);
template <>
__device__ __forceinline__ float narrow<float>(float v) { return v; }
template <>
__device__ __forceinline__ __half narrow<__half>(float v) { return __float2half_rn(v); }
template <>
__device__ __forceinline__ __nv_bfloat16 narrow<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// Grid: (column tiles of 32 * kVec columns, K splits of k_chunk rows). n is a multiple of kVec.
template <class T, int M>
__global__ void __launch_bounds__(kWarps * 32)
    gemv_kernel(const T* __restrict__ a, const T* __restrict__ w, T* __restrict__ y, int64_t n, int64_t k,
                int64_t k_chunk, float* __restrict__ partials, unsigned* __restrict__ tickets) {
  constexpr int V = kVec<T>, kTile = 32 * V;
  __shared__ float warp_sums[kWarps][kTile];
  __shared__ bool last;
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const int64_t tile0 = int64_t{blockIdx.x} * kTile, col0 = tile0 + lane * V;
  const int64_t k_begin = blockIdx.y * k_chunk, k_end = k_begin + k_chunk < k ? k_begin + k_chunk : k;
  float acc[M][V] = {};
  if (col0 < n)
#pragma unroll 4
    for (int64_t kk = k_begin + warp; kk < k_end; kk += kWarps) {
      float wf[V];
      widen<T>(__ldg(reinterpret_cast<const uint4*>(w + kk * n + col0)), wf);
#pragma unroll
      for (int r = 0; r < M; ++r) {
        const float av = as_float(a[r * k + kk]);
#pragma unroll
        for (int v = 0; v < V; ++v) acc[r][v] += av * wf[v];
      }
    }

  const unsigned splits = gridDim.y;
  for (int r = 0; r < M; ++r) {
    for (int v = 0; v < V; ++v) warp_sums[warp][lane * V + v] = acc[r][v];
    __syncthreads();
    for (int c = threadIdx.x; c < kTile && tile0 + c < n; c += blockDim.x) {
      float s = 0.f;
      for (int i = 0; i < kWarps; ++i) s += warp_sums[i][c];
      if (splits == 1) y[r * n + tile0 + c] = narrow<T>(s);
      else partials[(blockIdx.y * M + r) * n + tile0 + c] = s;
    }
    __syncthreads();
  }
  if (splits == 1) return;
  // Every thread's partial sums are visible device-wide before the tile's ticket counts them.
  __threadfence();
  __syncthreads();
  if (threadIdx.x == 0) last = atomicAdd(&tickets[blockIdx.x], 1u) == splits - 1;
  __syncthreads();
  if (!last) return;
  for (int i = threadIdx.x; i < M * kTile; i += blockDim.x) {
    const int r = i / kTile;
    const int64_t col = tile0 + i % kTile;
    if (col >= n) continue;
    float s = 0.f;
    for (unsigned split = 0; split < splits; ++split) s += __ldcg(partials + (split * M + r) * n + col);
    y[r * n + col] = narrow<T>(s);
  }
  if (threadIdx.x == 0) tickets[blockIdx.x] = 0;  // ready for the next launch on this stream
}

template <class T, int M>
void launch(const GemvArgs& g, cudaStream_t stream) {
  const dim3 grid(static_cast<unsigned>((g.n + 32 * kVec<T> - 1) / (32 * kVec<T>)), static_cast<unsigned>(g.splits));
  gemv_kernel<T, M><<<grid, kWarps * 32, 0, stream>>>(static_cast<const T*>(g.a), static_cast<const T*>(g.w),
                                                      static_cast<T*>(g.y), g.n, g.k, g.k_chunk, g.partials,
                                                      g.tickets);
}

template <class T>
void launch_rows(const GemvArgs& g, cudaStream_t stream) {
  switch (g.m) {
    case 1: return launch<T, 1>(g, stream);
    case 2: return launch<T, 2>(g, stream);
    case 3: return launch<T, 3>(g, stream);
    default: return launch<T, 4>(g, stream);
  }
}

}  // namespace

int64_t gemv_tile_columns(ElemType type) {
  return 32 * (type == ElemType::kF32 ? kVec<float> : kVec<__half>);
}

void gemv(ElemType type, const GemvArgs& g, cudaStream_t stream) {
  if (type == ElemType::kF32) launch_rows<float>(g, stream);
  else if (type == ElemType::kF16) launch_rows<__half>(g, stream);
  else launch_rows<__nv_bfloat16>(g, stream);
  check_launch("MatMul (GEMV)");
}

}  // namespace onnxgen::cuda
