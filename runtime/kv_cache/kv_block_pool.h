#pragma once
// The paged KV cache's memory: per layer, one key and one value tensor of
// [num_blocks, num_kv_heads, block_size, head_size], allocated once at start-up from a byte budget,
// on the device the model runs on (PagedAttention writes the caches in place).
#include <cstddef>
#include <vector>

#include "runtime/core/tensor.h"
#include "runtime/kv_cache/block_allocator.h"

namespace onnxgen {

struct KvCacheConfig {
  int64_t num_layers = 0;
  int64_t num_kv_heads = 0;
  int64_t head_size = 0;
  int64_t block_size = 16;
  DataType dtype = DataType::kFloat;
  // Off: full blocks are not published to the prefix cache, so a freed block is free at once and
  // the next allocation reuses it (most recent first) instead of touching a fresh one.
  bool prefix_caching = true;

  // Keys and values of every layer for one block.
  size_t bytes_per_block() const;
  int64_t blocks_for_budget(size_t budget_bytes) const;
};

// A default budget when none is given: half of the memory the kernel reports as available.
size_t default_kv_cache_bytes();

class KvBlockPool {
 public:
  KvBlockPool(const KvCacheConfig& config, int64_t num_blocks, Allocator& allocator = cpu_allocator());

  const KvCacheConfig& config() const { return config_; }
  BlockAllocator& blocks() { return blocks_; }
  const BlockAllocator& blocks() const { return blocks_; }
  const Tensor& keys(int64_t layer) const { return keys_.at(static_cast<size_t>(layer)); }
  const Tensor& values(int64_t layer) const { return values_.at(static_cast<size_t>(layer)); }

  // Copies every layer's keys and values of block `src` into `dst` (copy-on-write of shared blocks).
  void copy_block(BlockId src, BlockId dst);

 private:
  KvCacheConfig config_;
  BlockAllocator blocks_;
  std::vector<Tensor> keys_;
  std::vector<Tensor> values_;
};

}  // namespace onnxgen
