#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "runtime/core/allocator.h"
#include "runtime/core/error.h"

namespace onnxgen {
namespace {

// Blocks above this size go straight back to the OS: caching them would pin large prefill
// activations for the life of the process.
constexpr size_t kMaxCachedBlock = size_t{256} << 20;
constexpr size_t kMaxCachedBytes = size_t{1} << 30;

class BlockCache {
 public:
  void* take(size_t bytes) {
    {
      std::lock_guard lock(mu_);
      auto it = free_.find(bytes);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        cached_bytes_ -= bytes;
        return p;
      }
    }
    void* p = std::aligned_alloc(kCpuAlignment, bytes);
    if (!p) fail("out of memory allocating ", bytes, " bytes on cpu");
    return p;
  }
  void give(void* p, size_t bytes) {
    if (bytes <= kMaxCachedBlock) {
      std::lock_guard lock(mu_);
      if (cached_bytes_ + bytes <= kMaxCachedBytes) {
        free_[bytes].push_back(p);
        cached_bytes_ += bytes;
        return;
      }
    }
    std::free(p);
  }

  // Storage for the shared_ptr control blocks that own CpuBuffers: all of one size, kept on a
  // free list threaded through the freed nodes themselves.
  void* take_node(size_t bytes) {
    {
      std::lock_guard lock(mu_);
      if (free_nodes_ && bytes == node_bytes_) return std::exchange(free_nodes_, free_nodes_->next);
    }
    return ::operator new(std::max(bytes, sizeof(FreeNode)));
  }
  void give_node(void* p, size_t bytes) {
    std::lock_guard lock(mu_);
    if (node_bytes_ == 0) node_bytes_ = bytes;
    if (bytes != node_bytes_) {
      ::operator delete(p);
      return;
    }
    free_nodes_ = new (p) FreeNode{free_nodes_};
  }

  ~BlockCache() {
    for (auto& [size, blocks] : free_)
      for (void* p : blocks) std::free(p);
    while (free_nodes_) ::operator delete(std::exchange(free_nodes_, free_nodes_->next));
  }

 private:
  struct FreeNode {
    FreeNode* next;
  };

  std::mutex mu_;
  std::map<size_t, std::vector<void*>> free_;
  size_t cached_bytes_ = 0;
  FreeNode* free_nodes_ = nullptr;
  size_t node_bytes_ = 0;
};

// Allocates the control block of a shared_ptr<CpuBuffer> from the BlockCache, so handing out a
// cached block allocates nothing: the tensors of a decode step reuse both the blocks and the
// control blocks of the step before.
template <class T>
struct NodeAllocator {
  using value_type = T;

  explicit NodeAllocator(std::shared_ptr<BlockCache> c) : cache(std::move(c)) {}
  template <class U>
  NodeAllocator(const NodeAllocator<U>& other) : cache(other.cache) {}  // NOLINT(google-explicit-constructor)

  T* allocate(size_t n) { return static_cast<T*>(cache->take_node(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { cache->give_node(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const NodeAllocator<U>& other) const {
    return cache == other.cache;
  }

  // Shared, so a control block freed after the allocator's last buffer still has its cache.
  std::shared_ptr<BlockCache> cache;
};

class CpuBuffer : public Buffer {
 public:
  CpuBuffer(std::shared_ptr<BlockCache> cache, size_t bytes, size_t rounded)
      : Buffer(cache->take(rounded), bytes, Device::cpu()), cache_(std::move(cache)), rounded_(rounded) {}
  ~CpuBuffer() override { cache_->give(data_, rounded_); }

 private:
  std::shared_ptr<BlockCache> cache_;
  size_t rounded_;
};

class CpuAllocator : public Allocator {
 public:
  std::shared_ptr<Buffer> allocate(size_t bytes) override {
    size_t rounded = (bytes + kCpuAlignment - 1) / kCpuAlignment * kCpuAlignment;
    if (rounded == 0) rounded = kCpuAlignment;
    return std::allocate_shared<CpuBuffer>(NodeAllocator<CpuBuffer>(cache_), cache_, bytes, rounded);
  }
  Device device() const override { return Device::cpu(); }

 private:
  std::shared_ptr<BlockCache> cache_ = std::make_shared<BlockCache>();
};

}  // namespace

Allocator& cpu_allocator() {
  // Leaked on purpose: buffers held by static objects may be released after main returns.
  static auto* allocator = new CpuAllocator();
  return *allocator;
}

}  // namespace onnxgen
