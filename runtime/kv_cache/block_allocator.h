#pragma once
// Bookkeeping for the paged KV cache: which blocks are free, who shares a block (reference
// counts), and which full blocks hold a known token prefix (the prefix cache). Storage lives in
// KvBlockPool; this class never touches tensor memory.
#include <cstdint>
#include <list>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace onnxgen {

using BlockId = int32_t;
using TokenId = int32_t;

// Identifies a full block by everything before it and its own tokens, so equal hashes mean equal
// prefixes; entries keep their tokens to rule out collisions.
uint64_t hash_block(uint64_t parent_hash, std::span<const TokenId> tokens);

class BlockAllocator {
 public:
  // `block_size` (tokens per block), when given, sizes every prefix-cache entry up front. Without
  // `prefix_caching`, publish() records nothing and freed blocks are reused most recent first.
  explicit BlockAllocator(int64_t num_blocks, int64_t block_size = 0, bool prefix_caching = true);

  // A block with reference count 1, or nullopt when every block is referenced. Free blocks go
  // first; then the least recently used cached block is evicted.
  std::optional<BlockId> allocate();
  void retain(BlockId b);
  void release(BlockId b);
  int ref_count(BlockId b) const { return refs_.at(static_cast<size_t>(b)); }
  bool is_cached(BlockId b) const { return block_hash_.at(static_cast<size_t>(b)).has_value(); }

  // Prefix cache. lookup() returns a retained block holding exactly `tokens` after `parent_hash`.
  std::optional<BlockId> lookup(uint64_t hash, uint64_t parent_hash, std::span<const TokenId> tokens);
  // Records that referenced block `b` now holds `tokens` after `parent_hash`. A prefix already
  // cached in another block is left as it is; without prefix caching nothing is recorded.
  void publish(BlockId b, uint64_t hash, uint64_t parent_hash, std::span<const TokenId> tokens);

  int64_t num_blocks() const { return static_cast<int64_t>(refs_.size()); }
  int64_t num_free() const { return static_cast<int64_t>(free_.size() + evictable_.size()); }
  int64_t num_used() const { return num_blocks() - num_free(); }
  int64_t num_cached() const { return static_cast<int64_t>(cache_.size()); }
  int64_t prefix_hits() const { return hits_; }
  int64_t prefix_queries() const { return queries_; }

 private:
  struct CacheEntry {
    BlockId block;
    uint64_t parent_hash;
    std::vector<TokenId> tokens;
  };
  void check(BlockId b) const;

  bool prefix_caching_;
  std::vector<int> refs_;
  std::vector<BlockId> free_;
  std::list<BlockId> evictable_;  // cached blocks with no references, least recently used first
  std::vector<std::list<BlockId>::iterator> evictable_pos_;
  std::vector<std::optional<uint64_t>> block_hash_;
  using Cache = std::unordered_map<uint64_t, CacheEntry>;
  Cache cache_;
  // One entry per block, made at construction and recycled through the cache by node handles,
  // so publishing a block during decoding allocates nothing.
  std::vector<Cache::node_type> spare_entries_;
  int64_t hits_ = 0, queries_ = 0;
};

}  // namespace onnxgen
