// GatherBlockQuantized on the GPU: one thread per output value, dequantising its code.
#include "runtime/ops/cuda/elem_access.cuh"

namespace onnxgen::cuda {
namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ int unpack(const uint8_t* p, int64_t i, int bits) {
  return bits == 8 ? p[i] : (p[i / 2] >> ((i % 2) * 4)) & 0x0f;
}

__global__ void gather_block_quantized_kernel(BlockGatherArgs p, ElemType t, void* y) {
  const int64_t n = p.outer * p.num_indices * p.inner;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t e = i % p.inner, j = (i / p.inner) % p.num_indices, o = i / (p.inner * p.num_indices);
    int64_t idx = p.indices_int64 ? static_cast<const int64_t*>(p.indices)[j] : static_cast<const int32_t*>(p.indices)[j];
    if (idx < 0) idx += p.rows;
    idx = idx < 0 ? 0 : (idx >= p.rows ? p.rows - 1 : idx);
    const int64_t at = (o * p.rows + idx) * p.inner + e;
    const int64_t hi = at / (p.q_dim * p.q_stride), c = (at / p.q_stride) % p.q_dim, lo = at % p.q_stride;
    const int64_t s_at = (hi * p.q_blocks + c / p.block_size) * p.q_stride + lo;
    const float z = p.zero_points ? static_cast<float>(unpack(p.zero_points, s_at, p.bits)) : static_cast<float>(1 << (p.bits - 1));
    store_float(y, i, t, (static_cast<float>(unpack(p.codes, at, p.bits)) - z) * load_float(p.scales, s_at, t));
  }
}

}  // namespace

void gather_block_quantized(const BlockGatherArgs& p, ElemType type, void* y, cudaStream_t stream) {
  const int64_t n = p.outer * p.num_indices * p.inner;
  if (n == 0) return;
  gather_block_quantized_kernel<<<blocks_for(n, kThreads), kThreads, 0, stream>>>(p, type, y);
  check_launch("gather_block_quantized");
}

}  // namespace onnxgen::cuda
