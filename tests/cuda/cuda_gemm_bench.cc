// GEMM speed on the GPU at Qwen2.5-0.5B's projection shapes: cuBLAS (when it loads), the decode
// GEMV (where MatMul would take it) and the tiled fallback kernel, as time per product, TFLOP/s
// and weight bytes read per second as a fraction of a device-to-device copy's bytes read plus
// written per second, measured here (what bounds decode, m = 1). Weights that fit in L2 (50 MB on
// an H100) are re-read from it and can exceed 100%.
//   cuda_gemm_bench [--device cuda:N]
#include <cuda_runtime_api.h>

#include <cstdio>
#include <exception>
#include <string>
#include <tuple>
#include <vector>

#include "runtime/core/cuda_backend.h"
#include "runtime/core/device_backend.h"
#include "runtime/ops/cuda/cublas_gemm.h"
#include "runtime/ops/cuda/gemv.h"

using namespace onnxgen;

namespace {

// Milliseconds per call of `fn`, averaged over timed repeats after warm-up, on `stream`.
template <class Fn>
double time_ms(cudaStream_t stream, Fn fn) {
  for (int i = 0; i < 3; ++i) fn();
  cudaEvent_t start, stop;
  cuda_check(cudaEventCreate(&start), "cudaEventCreate");
  cuda_check(cudaEventCreate(&stop), "cudaEventCreate");
  constexpr int kRepeats = 20;
  cuda_check(cudaEventRecord(start, stream), "cudaEventRecord");
  for (int i = 0; i < kRepeats; ++i) fn();
  cuda_check(cudaEventRecord(stop, stream), "cudaEventRecord");
  cuda_check(cudaEventSynchronize(stop), "cudaEventSynchronize");
  float ms = 0;
  cuda_check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return ms / kRepeats;
}

}  // namespace

int run(int argc, char** argv) {
  Device device{DeviceType::kCuda, 0};
  if (argc == 3 && std::string(argv[1]) == "--device") device = parse_device(argv[2]);
  Allocator& alloc = device_backend(device).allocator();
  const cudaStream_t stream = cuda_stream(device);

  const size_t copy_bytes = size_t{1} << 30;
  auto src = alloc.allocate(copy_bytes), dst = alloc.allocate(copy_bytes);
  cuda_check(cudaMemsetAsync(src->data(), 0, copy_bytes, stream), "cudaMemset");
  const double copy_ms = time_ms(stream, [&] {
    cuda_check(cudaMemcpyAsync(dst->data(), src->data(), copy_bytes, cudaMemcpyDeviceToDevice, stream), "copy");
  });
  const double copy_gbps = 2.0 * copy_bytes / (copy_ms * 1e6);  // bytes read plus written
  std::printf("device-to-device copy: %.0f GB/s (read + write)\n", copy_gbps);
  src.reset();
  dst.reset();

  CublasGemm* blas = CublasGemm::get(device);
  std::printf("cuBLAS: %s\n", blas ? "loaded" : "not available");
  struct Shape {
    const char* what;
    int64_t m, n, k;
  };
  const std::vector<Shape> shapes = {{"decode mlp up", 1, 4864, 896},    {"decode mlp down", 1, 896, 4864}, {"batch4 mlp down", 4, 896, 4864},
                                     {"decode lm_head", 1, 151936, 896}, {"batch32 mlp up", 32, 4864, 896},
                                     {"prefill mlp up", 512, 4864, 896}, {"prefill lm_head", 512, 151936, 896}};
  std::printf("%-16s %-5s %6s %7s %6s %-7s %10s %9s %10s\n", "shape", "type", "m", "n", "k", "gemm", "ms", "TFLOP/s",
              "weight/copy");
  for (const auto& [type, name, bytes] : {std::tuple{cuda::ElemType::kF16, "fp16", 2}, {cuda::ElemType::kF32, "fp32", 4}})
    for (const Shape& s : shapes) {
      auto a = alloc.allocate(s.m * s.k * bytes), w = alloc.allocate(s.k * s.n * bytes), y = alloc.allocate(s.m * s.n * bytes);
      cuda_check(cudaMemsetAsync(a->data(), 0, a->bytes(), stream), "cudaMemset");
      cuda_check(cudaMemsetAsync(w->data(), 0, w->bytes(), stream), "cudaMemset");
      for (const std::string gemm : {"cublas", "gemv", "tiled"}) {
        if (gemm == "cublas" && !blas) continue;
        // Timed as MatMul runs it: the shapes the GEMV leaves to cuBLAS have no row of their own.
        if (gemm == "gemv" && !try_gemv(device, type, a->data(), w->data(), y->data(), s.m, s.n, s.k, blas != nullptr, stream))
          continue;
        const double ms = time_ms(stream, [&] {
          if (gemm == "cublas") blas->matmul(type, a->data(), 0, w->data(), 0, y->data(), 1, s.m, s.n, s.k, stream);
          else if (gemm == "gemv") try_gemv(device, type, a->data(), w->data(), y->data(), s.m, s.n, s.k, false, stream);
          else cuda::matmul(type, a->data(), 0, w->data(), 0, y->data(), 1, s.m, s.n, s.k, stream);
        });
        const double tflops = 2.0 * s.m * s.n * s.k / (ms * 1e9);
        const double weight_gbps = double(s.k * s.n * bytes) / (ms * 1e6);
        std::printf("%-16s %-5s %6lld %7lld %6lld %-7s %10.4f %9.2f %9.0f%%\n", s.what, name, (long long)s.m,
                    (long long)s.n, (long long)s.k, gemm.c_str(), ms, tflops,
                    100.0 * weight_gbps / copy_gbps);
      }
    }
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cuda_gemm_bench: %s\n", e.what());
    return 1;
  }
}
