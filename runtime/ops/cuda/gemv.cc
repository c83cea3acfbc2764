#include "runtime/ops/cuda/gemv.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>

#include "runtime/core/cuda_backend.h"
#include "runtime/core/device_backend.h"

namespace onnxgen {
namespace {

// Column tiles a launch may have: one ticket each, kept per device for the process.
constexpr int64_t kMaxTiles = 1 << 16;
// Rows of w a block reads at the least: fewer and the merge of the splits costs more than it saves.
constexpr int64_t kMinChunk = 64;

struct DeviceState {
  int multiprocessors = 0;
  Tensor tickets;
};

const DeviceState& state_of(Device device) {
  static std::mutex mu;
  // Leaked on purpose, like the device backends: its buffer must not outlive them.
  static auto* states = new std::map<int, DeviceState>();
  std::lock_guard lock(mu);
  DeviceState& s = (*states)[device.index];
  if (!s.tickets.defined()) {
    const cudaStream_t stream = cuda_stream(device);
    cuda_check(cudaDeviceGetAttribute(&s.multiprocessors, cudaDevAttrMultiProcessorCount, device.index),
               "reading the multiprocessor count");
    Tensor tickets = Tensor::empty(DataType::kInt32, {kMaxTiles}, allocator_for(device));
    cuda_check(cudaMemsetAsync(tickets.raw(), 0, kMaxTiles * sizeof(int32_t), stream), "zeroing GEMV tickets");
    s.tickets = std::move(tickets);
  }
  return s;
}

}  // namespace

bool try_gemv(Device device, cuda::ElemType type, const void* a, const void* w, void* y, int64_t m, int64_t n,
              int64_t k, bool cublas_loaded, cudaStream_t stream) {
  static const bool disabled = std::getenv("ONNXGEN_NO_CUDA_GEMV") != nullptr;
  if (disabled || m < 1 || m > cuda::kGemvMaxRows || k < 1) return false;
  if (type != cuda::ElemType::kF32 && type != cuda::ElemType::kF16 && type != cuda::ElemType::kBF16) return false;
  const int64_t tile = cuda::gemv_tile_columns(type), vec = tile / 32;
  if (n % vec != 0 || reinterpret_cast<uintptr_t>(w) % 16 != 0) return false;
  const int64_t tiles = (n + tile - 1) / tile;
  if (tiles > kMaxTiles) return false;
  const DeviceState& state = state_of(device);
  // Two blocks per multiprocessor keep enough loads in flight to stream w at full bandwidth.
  const int64_t want_splits = (2 * state.multiprocessors + tiles - 1) / tiles;
  if (want_splits == 1 && cublas_loaded) return false;
  const int64_t most_splits = std::clamp<int64_t>(want_splits, 1, std::max<int64_t>(1, k / kMinChunk));
  const int64_t k_chunk = (k + most_splits - 1) / most_splits;
  cuda::GemvArgs g{.a = a, .w = w, .y = y, .m = m, .n = n, .k = k, .k_chunk = k_chunk,
                   .splits = (k + k_chunk - 1) / k_chunk};
  Tensor partials;
  if (g.splits > 1) {
    partials = Tensor::empty(DataType::kFloat, {g.splits * m * n}, allocator_for(device));
    g.partials = static_cast<float*>(partials.raw());
    g.tickets = static_cast<unsigned*>(state.tickets.raw());
  }
  cuda::gemv(type, g, stream);
  return true;
}

}  // namespace onnxgen
