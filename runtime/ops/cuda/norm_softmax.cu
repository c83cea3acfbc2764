// Row kernels: LayerNormalization and its Skip/Simplified variants, and Softmax. One block per
// row; float32 statistics over two passes (mean, then centred variance) as the CPU kernels do.
// Reductions over any axes: one warp per output.
#include <cfloat>

#include "runtime/ops/cuda/elem_access.cuh"

namespace onnxgen::cuda {
namespace {

constexpr int kThreads = 256;

// The sum over the block of every thread's `v`, returned to all threads.
__device__ float block_sum(float v, float* scratch) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads();  // scratch may still be read by a previous call
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < blockDim.x / 32 ? scratch[lane] : 0.f;
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ float block_max(float v, float* scratch) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads();
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < blockDim.x / 32 ? scratch[lane] : -FLT_MAX;
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

__device__ float summed(const NormArgs& a, ElemType t, int64_t row, int64_t c) {
  float v = load_float(a.x, row * a.cols + c, t);
  if (a.skip) v += load_float(a.skip, (row % a.skip_rows) * a.cols + c, t);
  if (a.bias) v += load_float(a.bias, c, t);
  return v;
}

__global__ void layer_norm_kernel(ElemType t, NormArgs a) {
  __shared__ float scratch[32];
  const int64_t row = blockIdx.x;
  float mean = 0.f;
  if (!a.simplified) {
    float s = 0.f;
    for (int64_t c = threadIdx.x; c < a.cols; c += blockDim.x) s += summed(a, t, row, c);
    mean = block_sum(s, scratch) / static_cast<float>(a.cols);
  }
  float sq = 0.f;
  for (int64_t c = threadIdx.x; c < a.cols; c += blockDim.x) {
    const float v = summed(a, t, row, c);
    if (a.sum) store_float(a.sum, row * a.cols + c, t, v);
    sq += (v - mean) * (v - mean);
  }
  const float inv = rsqrtf(block_sum(sq, scratch) / static_cast<float>(a.cols) + a.epsilon);
  for (int64_t c = threadIdx.x; c < a.cols; c += blockDim.x) {
    float v = (summed(a, t, row, c) - mean) * inv * load_float(a.gamma, c, t);
    if (a.beta) v += load_float(a.beta, c, t);
    store_float(a.y, row * a.cols + c, t, v);
  }
}

__global__ void softmax_kernel(ElemType t, const void* x, void* y, int64_t cols, bool log) {
  __shared__ float scratch[32];
  const int64_t base = blockIdx.x * cols;
  float m = -FLT_MAX;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) m = fmaxf(m, load_float(x, base + c, t));
  m = block_max(m, scratch);
  float s = 0.f;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) s += expf(load_float(x, base + c, t) - m);
  s = block_sum(s, scratch);
  const float log_s = logf(s);
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
    const float z = load_float(x, base + c, t) - m;
    store_float(y, base + c, t, log ? z - log_s : expf(z) / s);
  }
}

__device__ int64_t offset_of(int64_t i, const StridedDims& v) {
  int64_t at = 0;
  for (int d = v.rank - 1; d >= 0; --d) {
    at += (i % v.dims[d]) * v.strides[d];
    i /= v.dims[d];
  }
  return at;
}

__global__ void reduce_kernel(ReduceOp op, ElemType t, const void* x, StridedDims kept, StridedDims reduced, void* y,
                              int64_t outputs, int64_t count) {
  const int64_t o = (blockIdx.x * int64_t{blockDim.x} + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (o >= outputs) return;
  const int64_t base = offset_of(o, kept);
  float s = 0.f;
  for (int64_t r = lane; r < count; r += 32) s += load_float(x, base + offset_of(r, reduced), t);
  for (int off = 16; off > 0; off >>= 1) s += __shfl_xor_sync(0xffffffffu, s, off);
  if (lane == 0) store_float(y, o, t, op == ReduceOp::kMean && count ? s / static_cast<float>(count) : s);
}

}  // namespace

void layer_norm(ElemType type, const NormArgs& args, cudaStream_t stream) {
  if (args.rows == 0) return;
  layer_norm_kernel<<<static_cast<unsigned>(args.rows), kThreads, 0, stream>>>(type, args);
  check_launch("layer norm");
}

void softmax(ElemType type, const void* x, void* y, int64_t rows, int64_t cols, bool log, cudaStream_t stream) {
  if (rows == 0 || cols == 0) return;
  softmax_kernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(type, x, y, cols, log);
  check_launch("softmax");
}

void reduce(ReduceOp op, ElemType type, const void* x, const StridedDims& kept, const StridedDims& reduced, void* y,
            int64_t outputs, cudaStream_t stream) {
  if (outputs == 0) return;
  int64_t count = 1;
  for (int d = 0; d < reduced.rank; ++d) count *= reduced.dims[d];
  const int64_t threads = outputs * 32;
  reduce_kernel<<<static_cast<unsigned>((threads + kThreads - 1) / kThreads), kThreads, 0, stream>>>(
      op, type, x, kept, reduced, y, outputs, count);
  check_launch("reduce");
}

}  // namespace onnxgen::cuda
