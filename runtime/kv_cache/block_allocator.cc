#include "runtime/kv_cache/block_allocator.h"

#include "runtime/core/error.h"

namespace onnxgen {

uint64_t hash_block(uint64_t parent_hash, std::span<const TokenId> tokens) {
  // splitmix64-style mixing of each token into the running hash.
  uint64_t h = parent_hash ^ 0x9e3779b97f4a7c15ull;
  for (TokenId t : tokens) {
    h += static_cast<uint64_t>(static_cast<uint32_t>(t)) + 0x9e3779b97f4a7c15ull;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    h ^= h >> 31;
  }
  return h;
}

BlockAllocator::BlockAllocator(int64_t num_blocks, int64_t block_size, bool prefix_caching)
    : prefix_caching_(prefix_caching),
      refs_(static_cast<size_t>(num_blocks), 0), evictable_pos_(static_cast<size_t>(num_blocks)),
      block_hash_(static_cast<size_t>(num_blocks)) {
  ONNXGEN_CHECK(num_blocks > 0, "the KV cache needs at least one block, got ", num_blocks);
  free_.reserve(static_cast<size_t>(num_blocks));
  for (int64_t b = num_blocks; b-- > 0;) free_.push_back(static_cast<BlockId>(b));
  if (!prefix_caching) return;
  cache_.reserve(static_cast<size_t>(num_blocks));
  spare_entries_.reserve(static_cast<size_t>(num_blocks));
  for (int64_t b = 0; b < num_blocks; ++b) {
    auto entry = cache_.emplace(static_cast<uint64_t>(b), CacheEntry{}).first;
    entry->second.tokens.reserve(static_cast<size_t>(block_size));
    spare_entries_.push_back(cache_.extract(entry));
  }
}

void BlockAllocator::check(BlockId b) const {
  ONNXGEN_CHECK(b >= 0 && b < num_blocks(), "KV block ", b, " does not exist (pool has ", num_blocks(), ")");
}

std::optional<BlockId> BlockAllocator::allocate() {
  BlockId b;
  if (!free_.empty()) {
    b = free_.back();
    free_.pop_back();
  } else if (!evictable_.empty()) {
    b = evictable_.front();
    evictable_.pop_front();
    spare_entries_.push_back(cache_.extract(*block_hash_[b]));
    block_hash_[b].reset();
  } else {
    return std::nullopt;
  }
  refs_[b] = 1;
  return b;
}

void BlockAllocator::retain(BlockId b) {
  check(b);
  ONNXGEN_CHECK(refs_[b] > 0, "retaining KV block ", b, ", which is not allocated");
  ++refs_[b];
}

void BlockAllocator::release(BlockId b) {
  check(b);
  ONNXGEN_CHECK(refs_[b] > 0, "releasing KV block ", b, ", which is not allocated");
  if (--refs_[b] > 0) return;
  if (block_hash_[b]) {
    evictable_pos_[b] = evictable_.insert(evictable_.end(), b);
  } else {
    free_.push_back(b);
  }
}

std::optional<BlockId> BlockAllocator::lookup(uint64_t hash, uint64_t parent_hash, std::span<const TokenId> tokens) {
  ++queries_;
  auto it = cache_.find(hash);
  if (it == cache_.end() || it->second.parent_hash != parent_hash ||
      !std::equal(tokens.begin(), tokens.end(), it->second.tokens.begin(), it->second.tokens.end()))
    return std::nullopt;
  BlockId b = it->second.block;
  if (refs_[b] == 0) evictable_.erase(evictable_pos_[b]);
  ++refs_[b];
  ++hits_;
  return b;
}

void BlockAllocator::publish(BlockId b, uint64_t hash, uint64_t parent_hash, std::span<const TokenId> tokens) {
  check(b);
  ONNXGEN_CHECK(refs_[b] > 0, "publishing KV block ", b, ", which is not allocated");
  if (!prefix_caching_ || block_hash_[b] || cache_.count(hash)) return;
  Cache::node_type entry = std::move(spare_entries_.back());
  spare_entries_.pop_back();
  entry.key() = hash;
  entry.mapped().block = b;
  entry.mapped().parent_hash = parent_hash;
  entry.mapped().tokens.assign(tokens.begin(), tokens.end());
  cache_.insert(std::move(entry));
  block_hash_[b] = hash;
}

}  // namespace onnxgen
