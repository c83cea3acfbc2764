#include "runtime/kv_cache/block_table.h"

namespace onnxgen {

BlockTable::~BlockTable() { clear(); }

BlockTable::BlockTable(BlockTable&& other) noexcept
    : pool_(other.pool_), blocks_(std::move(other.blocks_)), tokens_(std::move(other.tokens_)),
      full_hashes_(std::move(other.full_hashes_)) {
  other.blocks_.clear();
  other.tokens_.clear();
  other.full_hashes_.clear();
}

BlockTable& BlockTable::operator=(BlockTable&& other) noexcept {
  if (this != &other) {
    clear();
    pool_ = other.pool_;
    blocks_ = std::move(other.blocks_);
    tokens_ = std::move(other.tokens_);
    full_hashes_ = std::move(other.full_hashes_);
    other.blocks_.clear();
    other.tokens_.clear();
    other.full_hashes_.clear();
  }
  return *this;
}

BlockTable BlockTable::fork() const {
  BlockTable copy(*pool_);
  for (BlockId b : blocks_) pool_->blocks().retain(b);
  copy.blocks_ = blocks_;
  copy.tokens_ = tokens_;
  copy.full_hashes_ = full_hashes_;
  return copy;
}

int64_t BlockTable::adopt_cached_prefix(std::span<const TokenId> prompt) {
  ONNXGEN_CHECK(blocks_.empty(), "adopt_cached_prefix needs an empty block table");
  int64_t bs = block_size();
  int64_t adoptable = prompt.empty() ? 0 : (static_cast<int64_t>(prompt.size()) - 1) / bs;
  uint64_t parent = 0;
  for (int64_t i = 0; i < adoptable; ++i) {
    auto chunk = prompt.subspan(static_cast<size_t>(i * bs), static_cast<size_t>(bs));
    uint64_t h = hash_block(parent, chunk);
    auto b = pool_->blocks().lookup(h, parent, chunk);
    if (!b) break;
    blocks_.push_back(*b);
    tokens_.insert(tokens_.end(), chunk.begin(), chunk.end());
    full_hashes_.push_back(h);
    parent = h;
  }
  return num_tokens();
}

bool BlockTable::last_block_shared_and_partial() const {
  if (num_tokens() % block_size() == 0) return false;
  BlockId last = blocks_[static_cast<size_t>(num_tokens() / block_size())];
  // A cached block's content is promised to the prefix cache, so it is never written again.
  return pool_->blocks().ref_count(last) > 1 || pool_->blocks().is_cached(last);
}

int64_t BlockTable::blocks_needed(int64_t n) const {
  int64_t bs = block_size();
  int64_t total = (num_tokens() + n + bs - 1) / bs;
  int64_t extra = std::max<int64_t>(0, total - static_cast<int64_t>(blocks_.size()));
  return extra + (n > 0 && last_block_shared_and_partial() ? 1 : 0);
}

void BlockTable::reserve_lists(int64_t max_tokens) {
  const auto blocks = static_cast<size_t>((max_tokens + block_size() - 1) / block_size());
  blocks_.reserve(blocks);
  full_hashes_.reserve(blocks);
  tokens_.reserve(static_cast<size_t>(max_tokens));
}

bool BlockTable::reserve(int64_t n) {
  ONNXGEN_CHECK(n >= 0, "cannot reserve ", n, " tokens");
  BlockAllocator& alloc = pool_->blocks();
  if (blocks_needed(n) > alloc.num_free()) return false;
  if (n > 0 && last_block_shared_and_partial()) {
    size_t idx = static_cast<size_t>(num_tokens() / block_size());
    BlockId fresh = *alloc.allocate();
    pool_->copy_block(blocks_[idx], fresh);
    alloc.release(blocks_[idx]);
    blocks_[idx] = fresh;
  }
  while (capacity() < num_tokens() + n) blocks_.push_back(*alloc.allocate());
  return true;
}

void BlockTable::append(std::span<const TokenId> tokens) {
  ONNXGEN_CHECK(num_tokens() + static_cast<int64_t>(tokens.size()) <= capacity(), "appending ", tokens.size(),
                " tokens to a block table with ", capacity() - num_tokens(), " free slots; reserve first");
  int64_t bs = block_size();
  tokens_.insert(tokens_.end(), tokens.begin(), tokens.end());
  while (static_cast<int64_t>(full_hashes_.size()) < num_tokens() / bs) {
    size_t i = full_hashes_.size();
    uint64_t parent = i == 0 ? 0 : full_hashes_[i - 1];
    std::span<const TokenId> chunk(tokens_.data() + i * static_cast<size_t>(bs), static_cast<size_t>(bs));
    uint64_t h = hash_block(parent, chunk);
    pool_->blocks().publish(blocks_[i], h, parent, chunk);
    full_hashes_.push_back(h);
  }
}

void BlockTable::truncate(int64_t num_tokens) {
  ONNXGEN_CHECK(num_tokens >= 0 && num_tokens <= this->num_tokens(), "cannot truncate to ", num_tokens, " tokens");
  int64_t bs = block_size();
  tokens_.resize(static_cast<size_t>(num_tokens));
  full_hashes_.resize(static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(full_hashes_.size()), num_tokens / bs)));
  size_t keep = static_cast<size_t>((num_tokens + bs - 1) / bs);
  while (blocks_.size() > keep) {
    pool_->blocks().release(blocks_.back());
    blocks_.pop_back();
  }
}

void BlockTable::clear() {
  if (pool_)
    for (BlockId b : blocks_) pool_->blocks().release(b);
  blocks_.clear();
  tokens_.clear();
  full_hashes_.clear();
}

int64_t BlockTable::slot(int64_t position) const {
  ONNXGEN_CHECK(position >= 0 && position < capacity(), "position ", position, " outside the ", capacity(),
                " reserved slots");
  return static_cast<int64_t>(blocks_[static_cast<size_t>(position / block_size())]) * block_size() +
         position % block_size();
}

}  // namespace onnxgen
