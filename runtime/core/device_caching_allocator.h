#pragma once
// The caching allocator of a device without host-visible memory (CUDA): freed blocks wait in a
// cache keyed by a rounded size, so a decode step reuses the previous step's buffers instead of
// calling cudaMalloc/cudaFree (which synchronise the device). Sizes round up to a quarter of
// their power of two (at most 25% waste) so nearby sizes share blocks. When the device is out
// of memory the cache is returned to it and the allocation retried once.
//
// Blocks are reused as soon as their last tensor goes: correct because every kernel of a device
// is queued on one stream, so later work on a reused block runs after earlier work on it.
#include <cstddef>
#include <memory>

#include "runtime/core/allocator.h"

namespace onnxgen {

// The device's own allocation calls, separate so the caching logic is testable without a GPU.
class DeviceMemory {
 public:
  virtual ~DeviceMemory() = default;
  // Null when the device is out of memory; throws for any other failure.
  virtual void* allocate(size_t bytes) = 0;
  virtual void release(void* p) = 0;
};

class CachingDeviceAllocator : public Allocator {
 public:
  CachingDeviceAllocator(Device device, std::unique_ptr<DeviceMemory> memory);
  ~CachingDeviceAllocator() override;

  std::shared_ptr<Buffer> allocate(size_t bytes) override;
  Device device() const override;

  struct Stats {
    size_t in_use_bytes = 0;       // rounded bytes held by live buffers
    size_t cached_bytes = 0;       // rounded bytes waiting in the cache
    size_t device_allocations = 0;  // calls that reached DeviceMemory::allocate
  };
  Stats stats() const;
  // Returns every cached block to the device.
  void release_cached();

  // The block size a request of `bytes` takes.
  static size_t rounded_size(size_t bytes);

 private:
  class State;
  class Block;
  std::shared_ptr<State> state_;  // shared with live buffers, which may outlive the allocator
};

}  // namespace onnxgen
