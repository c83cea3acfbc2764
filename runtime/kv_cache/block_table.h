#pragma once
// One sequence's view of the paged KV cache: the blocks holding its tokens, in order. Owns a
// reference on each block (released on destruction), shares blocks on fork and copies a shared
// block before writing into it.
#include <span>
#include <vector>

#include "runtime/kv_cache/kv_block_pool.h"

namespace onnxgen {

class BlockTable {
 public:
  explicit BlockTable(KvBlockPool& pool) : pool_(&pool) {}
  ~BlockTable();
  BlockTable(BlockTable&& other) noexcept;
  BlockTable& operator=(BlockTable&& other) noexcept;
  BlockTable(const BlockTable&) = delete;
  BlockTable& operator=(const BlockTable&) = delete;

  // A second table sharing every block (parallel samples, beams); writes copy on demand.
  BlockTable fork() const;

  // Adopts cached blocks holding a prefix of `prompt` (table must be empty). The block with the
  // last prompt token is never adopted: its logits must be computed. Returns tokens adopted.
  int64_t adopt_cached_prefix(std::span<const TokenId> prompt);

  // Sizes the table's own lists for `max_tokens` tokens, so growing to that length never
  // reallocates them (no blocks are taken).
  void reserve_lists(int64_t max_tokens);
  // Makes room for `n` more tokens: all or nothing, false when the pool lacks free blocks.
  bool reserve(int64_t n);
  // Records `tokens` as written after the current ones (into reserved slots) and publishes
  // blocks that became full to the prefix cache.
  void append(std::span<const TokenId> tokens);
  // Keeps the first `num_tokens` tokens (e.g. after rejected speculative tokens), freeing emptied blocks.
  void truncate(int64_t num_tokens);
  void clear();

  int64_t num_tokens() const { return static_cast<int64_t>(tokens_.size()); }
  int64_t capacity() const { return static_cast<int64_t>(blocks_.size()) * block_size(); }
  const std::vector<BlockId>& blocks() const { return blocks_; }
  // Flat slot (block * block_size + offset) of the token at `position`.
  int64_t slot(int64_t position) const;
  // Blocks still needed to reserve `n` more tokens, counting a copy-on-write.
  int64_t blocks_needed(int64_t n) const;

 private:
  int64_t block_size() const { return pool_->config().block_size; }
  // The next write lands in a partly filled block that others share or the prefix cache holds.
  bool last_block_shared_and_partial() const;

  KvBlockPool* pool_;
  std::vector<BlockId> blocks_;
  std::vector<TokenId> tokens_;
  std::vector<uint64_t> full_hashes_;  // hash chain of the full blocks, published or not
};

}  // namespace onnxgen
