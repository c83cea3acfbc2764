#include "runtime/core/cuda_backend.h"

#include <memory>

#include "runtime/core/device_backend.h"
#include "runtime/core/device_caching_allocator.h"
#include "runtime/core/error.h"

namespace onnxgen {

void cuda_check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) fail(what, ": ", cudaGetErrorName(status), " (", cudaGetErrorString(status), ")");
}

namespace {

class CudaMemory : public DeviceMemory {
 public:
  explicit CudaMemory(int index) : index_(index) {}
  void* allocate(size_t bytes) override {
    cuda_check(cudaSetDevice(index_), "cudaSetDevice");
    void* p = nullptr;
    cudaError_t status = cudaMalloc(&p, bytes);
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();  // clears the sticky-free error so later calls do not report it
      return nullptr;
    }
    cuda_check(status, "cudaMalloc");
    return p;
  }
  // Errors are ignored: this runs from destructors, possibly after the driver has shut down.
  void release(void* p) override { cudaFree(p); }

 private:
  int index_;
};

class CudaBackend : public DeviceBackend {
 public:
  explicit CudaBackend(int index)
      : device_{DeviceType::kCuda, index}, allocator_(device_, std::make_unique<CudaMemory>(index)) {
    cuda_check(cudaSetDevice(index), "cudaSetDevice");
    cuda_check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
  }
  Device device() const override { return device_; }
  Allocator& allocator() override { return allocator_; }
  void upload(void* dst, const void* src, size_t bytes) override {
    cuda_check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_), "copy to cuda");
    // The source is pageable host memory the caller may free at once.
    cuda_check(cudaStreamSynchronize(stream_), "copy to cuda");
  }
  void download(void* dst, const void* src, size_t bytes) override {
    cuda_check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_), "copy from cuda");
    cuda_check(cudaStreamSynchronize(stream_), "copy from cuda");
  }
  void copy(void* dst, const void* src, size_t bytes) override {
    cuda_check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream_), "copy within cuda");
  }
  cudaStream_t stream() const { return stream_; }

 private:
  Device device_;
  CachingDeviceAllocator allocator_;
  cudaStream_t stream_ = nullptr;
};

std::unique_ptr<DeviceBackend> make_cuda_backend(int index) {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess)
    fail("device cuda:", index, " is unavailable: no usable CUDA driver or GPU (", cudaGetErrorName(status), ": ",
         cudaGetErrorString(status), ")");
  if (index >= count) fail("device cuda:", index, " is unavailable: this machine has ", count, " CUDA device(s)");
  return std::make_unique<CudaBackend>(index);
}

[[maybe_unused]] const bool registered = register_device_backend(DeviceType::kCuda, make_cuda_backend);

}  // namespace

cudaStream_t cuda_stream(Device device) {
  return static_cast<CudaBackend&>(device_backend(device)).stream();
}

}  // namespace onnxgen
