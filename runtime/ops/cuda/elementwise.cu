// Elementwise kernels: broadcasting binary ops, unary activations and Cast, grid-stride loops
// over the output.
#include <cmath>

#include "runtime/ops/cuda/elem_access.cuh"

namespace onnxgen::cuda {
namespace {

constexpr int kThreads = 256;

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
    case UnaryOp::kSin: return sinf(x);
    case UnaryOp::kCos: return cosf(x);
  }
  return 0.f;
}

// v rounded to `t` and back, as an intermediate stored in that type would be.
__device__ float rounded(float v, ElemType t) {
  switch (t) {
    case ElemType::kF16: return __half2float(__float2half_rn(v));
    case ElemType::kBF16: return __bfloat162float(__float2bfloat16_rn(v));
    default: return v;
  }
}

__device__ float apply(BinaryOp op, float a, float b, ElemType t) {
  switch (op) {
    case BinaryOp::kAdd: return a + b;
    case BinaryOp::kSub: return a - b;
    case BinaryOp::kMul: return a * b;
    case BinaryOp::kDiv: return a / b;
    case BinaryOp::kPow: return powf(a, b);
    case BinaryOp::kMax: return fmaxf(a, b);
    case BinaryOp::kMin: return fminf(a, b);
    case BinaryOp::kSiluMul: return rounded(a * rounded(apply(UnaryOp::kSigmoid, a), t), t) * b;
  }
  return 0.f;
}

// Offsets of output element i in `first` and `second` walking the dims of `first`.
__device__ void offsets(int64_t i, const StridedDims& first, const StridedDims& second, int64_t& fi, int64_t& si) {
  int64_t rest = i;
  fi = si = 0;
  for (int d = first.rank - 1; d >= 0; --d) {
    const int64_t c = rest % first.dims[d];
    rest /= first.dims[d];
    fi += c * first.strides[d];
    si += c * second.strides[d];
  }
}

__global__ void binary_kernel(BinaryOp op, ElemType type, const void* a, StridedDims ad, const void* b,
                              StridedDims bd, void* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    int64_t ai, bi;
    offsets(i, ad, bd, ai, bi);
    store_float(y, i, type, apply(op, load_float(a, ai, type), load_float(b, bi, type), type));
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

__device__ bool apply(CompareOp op, double a, double b) {
  switch (op) {
    case CompareOp::kEqual: return a == b;
    case CompareOp::kLess: return a < b;
    case CompareOp::kLessOrEqual: return a <= b;
    case CompareOp::kGreater: return a > b;
    case CompareOp::kGreaterOrEqual: return a >= b;
  }
  return false;
}

__global__ void compare_kernel(CompareOp op, ElemType type, const void* a, StridedDims ad, const void* b, StridedDims bd,
                               bool* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    int64_t ai, bi;
    offsets(i, ad, bd, ai, bi);
    y[i] = apply(op, load_double(a, ai, type), load_double(b, bi, type));
  }
}

template <class Word>
__global__ void where_kernel(const bool* cond, StridedDims cd, const Word* x, StridedDims xd, const Word* y,
                             StridedDims yd, Word* out, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    int64_t ci, xi, yi, unused;
    offsets(i, cd, xd, ci, xi);
    offsets(i, cd, yd, unused, yi);
    out[i] = cond[ci] ? x[xi] : y[yi];
  }
}

template <class Word>
__global__ void fill_kernel(Word* y, int64_t n, Word value) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) y[i] = value;
}

__global__ void scale_add_kernel(ElemType type, void* y, StridedDims yd, float alpha, const void* c, StridedDims cd,
                                 float beta, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    int64_t yi, ci;
    offsets(i, yd, cd, yi, ci);
    float v = alpha * load_float(y, i, type);
    if (c) v += beta * load_float(c, ci, type);
    store_float(y, i, type, v);
  }
}

}  // namespace

void compare(CompareOp op, ElemType type, const void* a, const StridedDims& a_dims, const void* b,
             const StridedDims& b_strides, bool* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  compare_kernel<<<blocks_for(n, kThreads), kThreads, 0, stream>>>(op, type, a, a_dims, b, b_strides, y, n);
  check_launch("compare");
}

void where(const bool* cond, const StridedDims& cond_dims, const void* x, const StridedDims& x_strides, const void* y,
           const StridedDims& y_strides, void* out, int64_t n, int64_t elem_bytes, cudaStream_t stream) {
  if (n == 0) return;
  const unsigned blocks = blocks_for(n, kThreads);
  switch (elem_bytes) {
    case 1:
      where_kernel<<<blocks, kThreads, 0, stream>>>(cond, cond_dims, static_cast<const uint8_t*>(x), x_strides,
                                                    static_cast<const uint8_t*>(y), y_strides, static_cast<uint8_t*>(out), n);
      break;
    case 2:
      where_kernel<<<blocks, kThreads, 0, stream>>>(cond, cond_dims, static_cast<const uint16_t*>(x), x_strides,
                                                    static_cast<const uint16_t*>(y), y_strides, static_cast<uint16_t*>(out), n);
      break;
    case 4:
      where_kernel<<<blocks, kThreads, 0, stream>>>(cond, cond_dims, static_cast<const uint32_t*>(x), x_strides,
                                                    static_cast<const uint32_t*>(y), y_strides, static_cast<uint32_t*>(out), n);
      break;
    default:
      where_kernel<<<blocks, kThreads, 0, stream>>>(cond, cond_dims, static_cast<const uint64_t*>(x), x_strides,
                                                    static_cast<const uint64_t*>(y), y_strides, static_cast<uint64_t*>(out), n);
  }
  check_launch("where");
}

void fill(void* y, int64_t n, uint64_t pattern, int64_t elem_bytes, cudaStream_t stream) {
  if (n == 0) return;
  const unsigned blocks = blocks_for(n, kThreads);
  switch (elem_bytes) {
    case 1: fill_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<uint8_t*>(y), n, static_cast<uint8_t>(pattern)); break;
    case 2: fill_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<uint16_t*>(y), n, static_cast<uint16_t>(pattern)); break;
    case 4: fill_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<uint32_t*>(y), n, static_cast<uint32_t>(pattern)); break;
    default: fill_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<uint64_t*>(y), n, pattern);
  }
  check_launch("fill");
}

void scale_add(ElemType type, void* y, const StridedDims& y_dims, float alpha, const void* c,
               const StridedDims& c_strides, float beta, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  scale_add_kernel<<<blocks_for(n, kThreads), kThreads, 0, stream>>>(type, y, y_dims, alpha, c, c_strides, beta, n);
  check_launch("scale_add");
}

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
