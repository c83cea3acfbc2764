// The fallback GEMM: 64x64 output tiles, 16-deep slices of A and B staged in shared memory as
// float32, 4x4 outputs per thread, float32 accumulation. Any float type in and out.
#include "runtime/ops/cuda/elem_access.cuh"

namespace onnxgen::cuda {
namespace {

constexpr int kTile = 64, kDepth = 16, kThreads = 256;

__global__ void matmul_kernel(ElemType t, const void* a, int64_t a_stride, const void* w, int64_t w_stride, void* y,
                              int64_t m, int64_t n, int64_t k) {
  __shared__ float as[kDepth][kTile + 1];
  __shared__ float ws[kDepth][kTile + 1];
  const int64_t batch = blockIdx.z;
  const int64_t row0 = int64_t{blockIdx.y} * kTile, col0 = int64_t{blockIdx.x} * kTile;
  const int64_t a_base = batch * a_stride, w_base = batch * w_stride, y_base = batch * m * n;
  const int tr = threadIdx.x / 16, tc = threadIdx.x % 16;  // this thread's 4x4 block in the tile
  float acc[4][4] = {};
  for (int64_t k0 = 0; k0 < k; k0 += kDepth) {
    for (int i = threadIdx.x; i < kTile * kDepth; i += kThreads) {
      const int r = i / kDepth, d = i % kDepth;  // A: consecutive threads walk k
      const int64_t gr = row0 + r, gk = k0 + d;
      as[d][r] = gr < m && gk < k ? load_float(a, a_base + gr * k + gk, t) : 0.f;
      const int wd = i / kTile, wc = i % kTile;  // W: consecutive threads walk n
      const int64_t wk = k0 + wd, gc = col0 + wc;
      ws[wd][wc] = wk < k && gc < n ? load_float(w, w_base + wk * n + gc, t) : 0.f;
    }
    __syncthreads();
#pragma unroll
    for (int d = 0; d < kDepth; ++d) {
      float av[4], wv[4];
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        av[i] = as[d][tr * 4 + i];
        wv[i] = ws[d][tc + 16 * i];
      }
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] += av[i] * wv[j];
    }
    __syncthreads();
  }
  for (int i = 0; i < 4; ++i) {
    const int64_t r = row0 + tr * 4 + i;
    if (r >= m) continue;
    for (int j = 0; j < 4; ++j) {
      const int64_t c = col0 + tc + 16 * j;
      if (c < n) store_float(y, y_base + r * n + c, t, acc[i][j]);
    }
  }
}

}  // namespace

void matmul(ElemType type, const void* a, int64_t a_batch_stride, const void* w, int64_t w_batch_stride, void* y,
            int64_t batch, int64_t m, int64_t n, int64_t k, cudaStream_t stream) {
  if (batch == 0 || m == 0 || n == 0) return;
  const dim3 grid(static_cast<unsigned>((n + kTile - 1) / kTile), static_cast<unsigned>((m + kTile - 1) / kTile),
                  static_cast<unsigned>(batch));
  matmul_kernel<<<grid, kThreads, 0, stream>>>(type, a, a_batch_stride, w, w_batch_stride, y, m, n, k);
  check_launch("matmul");
}

}  // namespace onnxgen::cuda
