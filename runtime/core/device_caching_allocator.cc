#include "runtime/core/device_caching_allocator.h"

#include <bit>
#include <map>
#include <mutex>
#include <vector>

#include "runtime/core/error.h"

namespace onnxgen {

class CachingDeviceAllocator::State {
 public:
  State(Device device, std::unique_ptr<DeviceMemory> memory) : device_(device), memory_(std::move(memory)) {}
  ~State() { release_cached(); }

  void* take(size_t rounded) {
    {
      std::lock_guard lock(mu_);
      auto it = free_.find(rounded);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        stats_.cached_bytes -= rounded;
        stats_.in_use_bytes += rounded;
        return p;
      }
    }
    void* p = memory_->allocate(rounded);
    if (!p) {
      release_cached();
      p = memory_->allocate(rounded);
    }
    std::lock_guard lock(mu_);
    if (!p)
      fail("out of memory on ", to_string(device_), " allocating ", rounded, " bytes (", stats_.in_use_bytes,
           " bytes in use)");
    ++stats_.device_allocations;
    stats_.in_use_bytes += rounded;
    return p;
  }

  void give(void* p, size_t rounded) {
    std::lock_guard lock(mu_);
    free_[rounded].push_back(p);
    stats_.in_use_bytes -= rounded;
    stats_.cached_bytes += rounded;
  }

  void release_cached() {
    std::map<size_t, std::vector<void*>> blocks;
    {
      std::lock_guard lock(mu_);
      blocks.swap(free_);
      stats_.cached_bytes = 0;
    }
    for (auto& [size, list] : blocks)
      for (void* p : list) memory_->release(p);
  }

  Stats stats() const {
    std::lock_guard lock(mu_);
    return stats_;
  }
  Device device() const { return device_; }

 private:
  const Device device_;
  std::unique_ptr<DeviceMemory> memory_;
  mutable std::mutex mu_;
  std::map<size_t, std::vector<void*>> free_;
  Stats stats_;
};

class CachingDeviceAllocator::Block : public Buffer {
 public:
  Block(std::shared_ptr<State> state, size_t bytes, size_t rounded)
      : Buffer(state->take(rounded), bytes, state->device()), state_(std::move(state)), rounded_(rounded) {}
  ~Block() override { state_->give(data_, rounded_); }

 private:
  std::shared_ptr<State> state_;
  size_t rounded_;
};

CachingDeviceAllocator::CachingDeviceAllocator(Device device, std::unique_ptr<DeviceMemory> memory)
    : state_(std::make_shared<State>(device, std::move(memory))) {}

// Live buffers keep the state (and return their blocks to the device when they go); the cache goes now.
CachingDeviceAllocator::~CachingDeviceAllocator() { state_->release_cached(); }

size_t CachingDeviceAllocator::rounded_size(size_t bytes) {
  constexpr size_t kMinBlock = 512;  // cudaMalloc's own granularity; keeps every block aligned
  if (bytes <= kMinBlock) return kMinBlock;
  const size_t step = std::bit_floor(bytes) / 4;
  return (bytes + step - 1) / step * step;
}

std::shared_ptr<Buffer> CachingDeviceAllocator::allocate(size_t bytes) {
  return std::make_shared<Block>(state_, bytes, rounded_size(bytes));
}

Device CachingDeviceAllocator::device() const { return state_->device(); }

CachingDeviceAllocator::Stats CachingDeviceAllocator::stats() const { return state_->stats(); }

void CachingDeviceAllocator::release_cached() { state_->release_cached(); }

}  // namespace onnxgen
