#pragma once
// The decode GEMV's host side: whether a product suits it, how K is split, and its scratch.
#include <cuda_runtime_api.h>

#include "runtime/core/device.h"
#include "runtime/ops/cuda/kernels.h"

namespace onnxgen {

// y = a w on `device` through cuda::gemv when a has at most kGemvMaxRows rows and the sizes and
// alignment suit it (else false, leaving the product to the caller). With `cublas_loaded`, a w
// with columns enough to fill the GPU unsplit is left to cuBLAS too: on an H200 it streamed
// Qwen2.5's 151936-column lm_head at 97% of copy bandwidth, this kernel at 88%, while on the
// narrower projections this kernel took 35-50% less time. ONNXGEN_NO_CUDA_GEMV turns it off.
// `stream` must be the device's own (cuda_stream): the K splits' tickets are one set per device,
// which launches in order on one stream share safely.
bool try_gemv(Device device, cuda::ElemType type, const void* a, const void* w, void* y, int64_t m, int64_t n,
              int64_t k, bool cublas_loaded, cudaStream_t stream);

}  // namespace onnxgen
