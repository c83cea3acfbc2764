#pragma once
// What every CUDA op kernel shares: registration for DeviceType::kCuda, the stream of the device
// a kernel allocates on, element types, and broadcast strides.
#include <cuda_runtime_api.h>

#include "runtime/core/cuda_backend.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cuda/kernels.h"

namespace onnxgen {

// The element type of a tensor the CUDA kernels can read; throws naming `what` otherwise.
cuda::ElemType cuda_elem_type(const Tensor& t, const char* what);
// As above, for float types only.
cuda::ElemType cuda_float_type(const Tensor& t, const char* what);

inline cudaStream_t stream_of(const KernelContext& ctx) { return cuda_stream(ctx.allocator().device()); }

// `t`'s strides over `out_shape` (numpy broadcasting: missing and size-1 axes get stride 0).
cuda::StridedDims broadcast_view(const Shape& t_shape, const Shape& out_shape);
// A dense view of `shape` (rank checked against kMaxDims).
cuda::StridedDims dense_view(const Shape& shape);

}  // namespace onnxgen

#define ONNXGEN_REGISTER_CUDA_KERNEL(domain, op, since, until, ...)                                          \
  static const bool ONNXGEN_CONCAT(onnxgen_registered_cuda_, __COUNTER__) = ::onnxgen::OpRegistry::global().add( \
      {domain, op, since, until, ::onnxgen::DeviceType::kCuda, ::onnxgen::kernel_factory<__VA_ARGS__>()})
