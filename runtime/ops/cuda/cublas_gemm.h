#pragma once
// cuBLAS GEMMs, with libcublas loaded at run time: GPU machines have it, while build and CI
// machines need not, and the binaries stay loadable without it. Where it is missing (or
// ONNXGEN_NO_CUBLAS is set, to exercise the fallback) MatMul uses the tiled kernel in matmul.cu.
#include "runtime/core/device.h"
#include "runtime/ops/cuda/kernels.h"

namespace onnxgen {

class CublasGemm {
 public:
  // The loaded library's GEMM for `device`, or null when cuBLAS cannot be used.
  static CublasGemm* get(Device device);

  // Same contract as cuda::matmul (row-major, float32 accumulation, no TF32); false when a size
  // exceeds cuBLAS's int range, leaving the product to the caller.
  bool matmul(cuda::ElemType type, const void* a, int64_t a_batch_stride, const void* w, int64_t w_batch_stride,
              void* y, int64_t batch, int64_t m, int64_t n, int64_t k, cudaStream_t stream);

  struct Api;
  explicit CublasGemm(const Api* api, void* handle) : api_(api), handle_(handle) {}

 private:
  const Api* api_;
  void* handle_;
};

// y = a w with cuda::matmul's contract on `device`: through the GEMV of gemv.h for a few rows,
// else cuBLAS where it loads, else the tiled kernel.
void device_gemm(Device device, cuda::ElemType type, const void* a, int64_t a_batch_stride, const void* w,
                 int64_t w_batch_stride, void* y, int64_t batch, int64_t m, int64_t n, int64_t k, cudaStream_t stream);

}  // namespace onnxgen
