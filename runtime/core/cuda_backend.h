#pragma once
// The CUDA device backend (see device_backend.h): a caching allocator on cudaMalloc and one
// stream per device, on which every kernel and copy of that device is queued in order.
#include <cuda_runtime_api.h>

#include "runtime/core/device.h"

namespace onnxgen {

// The stream of `device` (a CUDA device whose backend exists).
cudaStream_t cuda_stream(Device device);

// Throws onnxgen::Error "<what>: <CUDA's message>" unless `status` is cudaSuccess.
void cuda_check(cudaError_t status, const char* what);

}  // namespace onnxgen
