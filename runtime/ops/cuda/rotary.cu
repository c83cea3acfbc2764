// RotaryEmbedding on the GPU: one thread per element, reading its pair partner and its token's
// cache row (see ops/cpu/rotary.h for the rotation).
#include "runtime/ops/cuda/elem_access.cuh"

namespace onnxgen::cuda {
namespace {

constexpr int kThreads = 256;

__device__ int64_t cache_row(const RotaryArgs& a, int64_t b, int64_t s) {
  int64_t row = b * a.seq + s;
  if (a.positions) {
    const int64_t at = a.start_offset ? 0 : row;
    row = a.positions_int64 ? static_cast<const int64_t*>(a.positions)[at]
                            : static_cast<const int32_t*>(a.positions)[at];
    if (a.start_offset) row += s;
  }
  return row < 0 ? 0 : (row >= a.cache_rows ? a.cache_rows - 1 : row);
}

__global__ void rotary_kernel(RotaryArgs a, ElemType t, const void* x, const void* cos, const void* sin, void* y,
                              int64_t n) {
  const int64_t half = a.rot / 2;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t d = i % a.head_size;
    if (d >= a.rot) {
      store_float(y, i, t, load_float(x, i, t));
      continue;
    }
    // 3-D [B, S, N*D] and 4-D [B, N, S, D] both decompose through the strides.
    const int64_t rest = i % a.b_stride;
    const int64_t b = i / a.b_stride, s = (rest / a.s_stride) % a.seq;
    const int64_t j = a.interleaved ? d / 2 : (d < half ? d : d - half);
    const bool first = a.interleaved ? d % 2 == 0 : d < half;
    const int64_t partner = i + (a.interleaved ? (first ? 1 : -1) : (first ? half : -half));
    const int64_t at = cache_row(a, b, s) * half + j;
    const float c = load_float(cos, at, t), sn = load_float(sin, at, t);
    const float xd = load_float(x, i, t), xp = load_float(x, partner, t);
    store_float(y, i, t, first ? c * xd - sn * xp : sn * xp + c * xd);
  }
}

}  // namespace

void rotary_embedding(const RotaryArgs& a, ElemType type, const void* x, const void* cos, const void* sin, void* y,
                      cudaStream_t stream) {
  const int64_t n = a.batch * a.seq * a.heads * a.head_size;
  if (n == 0) return;
  rotary_kernel<<<blocks_for(n, kThreads), kThreads, 0, stream>>>(a, type, x, cos, sin, y, n);
  check_launch("rotary_embedding");
}

}  // namespace onnxgen::cuda
