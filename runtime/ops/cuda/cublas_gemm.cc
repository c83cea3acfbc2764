#include "runtime/ops/cuda/cublas_gemm.h"

#include <cublas_api.h>
#include <dlfcn.h>

#include <climits>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include "runtime/core/cuda_backend.h"
#include "runtime/core/error.h"
#include "runtime/ops/cuda/gemv.h"

namespace onnxgen {

struct CublasGemm::Api {
  decltype(&cublasCreate_v2) create = nullptr;
  decltype(&cublasSetStream_v2) set_stream = nullptr;
  using Gemm = cublasStatus_t (*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const void*,
                                 const void*, cudaDataType, int, long long, const void*, cudaDataType, int, long long,
                                 const void*, void*, cudaDataType, int, long long, int, cublasComputeType_t,
                                 cublasGemmAlgo_t);
  Gemm gemm = nullptr;

  // Null when the library or one of its symbols is missing.
  static const Api* load() {
    if (std::getenv("ONNXGEN_NO_CUBLAS")) return nullptr;
    // The headers compiled against are CUDA 13's, so only that major version will do.
    void* lib = dlopen("libcublas.so.13", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return nullptr;
    static Api api;
    api.create = reinterpret_cast<decltype(create)>(dlsym(lib, "cublasCreate_v2"));
    api.set_stream = reinterpret_cast<decltype(set_stream)>(dlsym(lib, "cublasSetStream_v2"));
    api.gemm = reinterpret_cast<Gemm>(dlsym(lib, "cublasGemmStridedBatchedEx"));
    return api.create && api.set_stream && api.gemm ? &api : nullptr;
  }
};

CublasGemm* CublasGemm::get(Device device) {
  static std::mutex mu;
  static const Api* api = Api::load();
  // Leaked on purpose, like the device backends: handles must outlive every static user.
  static auto* instances = new std::map<int, std::unique_ptr<CublasGemm>>();
  if (!api) return nullptr;
  std::lock_guard lock(mu);
  auto& slot = (*instances)[device.index];
  if (!slot) {
    cuda_stream(device);  // the backend selects and initialises the device
    cublasHandle_t handle = nullptr;
    if (api->create(&handle) != CUBLAS_STATUS_SUCCESS) return nullptr;
    slot = std::make_unique<CublasGemm>(api, handle);
  }
  return slot.get();
}

bool CublasGemm::matmul(cuda::ElemType type, const void* a, int64_t a_batch_stride, const void* w,
                        int64_t w_batch_stride, void* y, int64_t batch, int64_t m, int64_t n, int64_t k,
                        cudaStream_t stream) {
  if (m > INT_MAX || n > INT_MAX || k > INT_MAX || batch > INT_MAX) return false;
  cudaDataType dt = CUDA_R_32F;
  switch (type) {
    case cuda::ElemType::kF32: dt = CUDA_R_32F; break;
    case cuda::ElemType::kF16: dt = CUDA_R_16F; break;
    case cuda::ElemType::kBF16: dt = CUDA_R_16BF; break;
    default: return false;
  }
  auto handle = static_cast<cublasHandle_t>(handle_);
  if (api_->set_stream(handle, stream) != CUBLAS_STATUS_SUCCESS) fail("cublasSetStream failed");
  const float alpha = 1.f, beta = 0.f;
  // Row-major y = a w is column-major y^T = w^T a^T: cuBLAS reads w as [n, k] and a as [k, m].
  const auto in = static_cast<int>(n), im = static_cast<int>(m), ik = static_cast<int>(k);
  const cublasStatus_t status =
      api_->gemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, in, im, ik, &alpha, w, dt, in, w_batch_stride, a, dt, ik,
                 a_batch_stride, &beta, y, dt, in, m * n, static_cast<int>(batch), CUBLAS_COMPUTE_32F,
                 CUBLAS_GEMM_DEFAULT);
  ONNXGEN_CHECK(status == CUBLAS_STATUS_SUCCESS, "cublasGemmStridedBatchedEx failed with status ",
                static_cast<int>(status), " for ", batch, " x [", m, ", ", k, "] x [", k, ", ", n, "]");
  return true;
}

void device_gemm(Device device, cuda::ElemType type, const void* a, int64_t a_batch_stride, const void* w,
                 int64_t w_batch_stride, void* y, int64_t batch, int64_t m, int64_t n, int64_t k, cudaStream_t stream) {
  CublasGemm* blas = CublasGemm::get(device);
  if (batch == 1 && try_gemv(device, type, a, w, y, m, n, k, blas != nullptr, stream)) return;
  if (k > 0 && blas && blas->matmul(type, a, a_batch_stride, w, w_batch_stride, y, batch, m, n, k, stream)) return;
  cuda::matmul(type, a, a_batch_stride, w, w_batch_stride, y, batch, m, n, k, stream);
}

}  // namespace onnxgen
