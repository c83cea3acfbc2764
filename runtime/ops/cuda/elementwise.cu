// Elementwise kernels: broadcasting binary ops, unary activations and Cast, grid-stride loops
// over the output.
#include <cmath>

#include "runtime/ops/cuda/elem_access.cuh"

namespace onnxgen::cuda {
namespace {

constexpr int kThreads = 256;

__device__ float apply(BinaryOp op, float a, float b) {
  switch (op) {
    case BinaryOp::kAdd: return a + b;
    case BinaryOp::kSub: return a - b;
    case BinaryOp::kMul: return a * b;
    case BinaryOp::kDiv: return a / b;
    case BinaryOp::kPow: return powf(a, b);
    case BinaryOp::kMax: return fmaxf(a, b);
    case BinaryOp::kMin: return fminf(a, b);
  }
  return 0.f;
}

__device__ float apply(UnaryOp op, float x) {
  switch (op) {
    case UnaryOp::kSigmoid: return 1.f / (1.f + expf(-x));
    case UnaryOp::kTanh: return tanhf(x);
    case UnaryOp::kGelu: return 0.5f * x * (1.f + erff(x * 0.70710678118654752f));
    case UnaryOp::kGeluTanh: return 0.5f * x * (1.f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
    case UnaryOp::kRelu: return fmaxf(x, 0.f);
    case UnaryOp::kNeg: return -x;
    case UnaryOp::kExp: return expf(x);
    case UnaryOp::kSqrt: return sqrtf(x);
    case UnaryOp::kErf: return erff(x);
    case UnaryOp::kSilu: return x / (1.f + expf(-x));
    case UnaryOp::kReciprocal: return 1.f / x;
  }
  return 0.f;
}

__global__ void binary_kernel(BinaryOp op, ElemType type, const void* a, StridedDims ad, const void* b,
                              StridedDims bd, void* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    int64_t rest = i, ai = 0, bi = 0;
    for (int d = ad.rank - 1; d >= 0; --d) {
      const int64_t c = rest % ad.dims[d];
      rest /= ad.dims[d];
      ai += c * ad.strides[d];
      bi += c * bd.strides[d];
    }
    store_float(y, i, type, apply(op, load_float(a, ai, type), load_float(b, bi, type)));
  }
}

__global__ void unary_kernel(UnaryOp op, ElemType type, const void* x, void* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x)
    store_float(y, i, type, apply(op, load_float(x, i, type)));
}

// Through double so int32 and int64 values up to 2^53 survive a round trip.
__device__ double load_double(const void* p, int64_t i, ElemType t) {
  switch (t) {
    case ElemType::kI32: return static_cast<const int32_t*>(p)[i];
    case ElemType::kI64: return static_cast<double>(static_cast<const int64_t*>(p)[i]);
    default: return load_float(p, i, t);
  }
}

__global__ void cast_kernel(ElemType from, const void* x, ElemType to, void* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const double v = load_double(x, i, from);
    switch (to) {
      case ElemType::kI32: static_cast<int32_t*>(y)[i] = static_cast<int32_t>(v); break;
      case ElemType::kI64: static_cast<int64_t*>(y)[i] = static_cast<int64_t>(v); break;
      default: store_float(y, i, to, static_cast<float>(v));
    }
  }
}

}  // namespace

void binary(BinaryOp op, ElemType type, const void* a, const StridedDims& a_dims, const void* b,
            const StridedDims& b_strides, void* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  binary_kernel<<<blocks_for(n, kThreads), kThreads, 0, stream>>>(op, type, a, a_dims, b, b_strides, y, n);
  check_launch("binary elementwise");
}

void unary(UnaryOp op, ElemType type, const void* x, void* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  unary_kernel<<<blocks_for(n, kThreads), kThreads, 0, stream>>>(op, type, x, y, n);
  check_launch("unary elementwise");
}

void cast(ElemType from, const void* x, ElemType to, void* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  cast_kernel<<<blocks_for(n, kThreads), kThreads, 0, stream>>>(from, x, to, y, n);
  check_launch("cast");
}

}  // namespace onnxgen::cuda
