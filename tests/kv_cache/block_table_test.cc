#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "runtime/kv_cache/block_table.h"

namespace onnxgen {
namespace {

KvCacheConfig tiny_config() {
  KvCacheConfig c;
  c.num_layers = 2;
  c.num_kv_heads = 2;
  c.head_size = 4;
  c.block_size = 4;
  return c;
}

std::vector<TokenId> iota_tokens(int n, int start = 100) {
  std::vector<TokenId> t(static_cast<size_t>(n));
  std::iota(t.begin(), t.end(), start);
  return t;
}

// Fills `table`'s slots for the tokens just reserved with a marker, in layer 0's keys.
void write_marker(KvBlockPool& pool, const BlockTable& table, int64_t from, int64_t to, float marker) {
  const auto& c = pool.config();
  float* k = pool.keys(0).data<float>();
  for (int64_t p = from; p < to; ++p) {
    int64_t slot = table.slot(p);
    int64_t block = slot / c.block_size, offset = slot % c.block_size;
    k[((block * c.num_kv_heads) * c.block_size + offset) * c.head_size] = marker;
  }
}

float read_marker(KvBlockPool& pool, const BlockTable& table, int64_t position) {
  const auto& c = pool.config();
  int64_t slot = table.slot(position);
  int64_t block = slot / c.block_size, offset = slot % c.block_size;
  return pool.keys(0).data<float>()[((block * c.num_kv_heads) * c.block_size + offset) * c.head_size];
}

TEST(KvCacheConfig, BudgetToBlocks) {
  KvCacheConfig c = tiny_config();
  EXPECT_EQ(c.bytes_per_block(), size_t{2 * 2 * 2 * 4 * 4 * 4});
  EXPECT_EQ(c.blocks_for_budget(c.bytes_per_block() * 10 + 5), 10);
  c.dtype = DataType::kFloat16;
  EXPECT_EQ(c.bytes_per_block(), size_t{2 * 2 * 2 * 4 * 4 * 2});
}

TEST(BlockAllocator, AllocatesUntilExhaustedThenReportsIt) {
  BlockAllocator a(3);
  auto b0 = a.allocate(), b1 = a.allocate(), b2 = a.allocate();
  ASSERT_TRUE(b0 && b1 && b2);
  EXPECT_FALSE(a.allocate().has_value());
  EXPECT_EQ(a.num_free(), 0);
  a.release(*b1);
  EXPECT_EQ(a.allocate(), b1);
  EXPECT_THROW(a.release(99), Error);
}

TEST(BlockAllocator, ReleasingAnUnallocatedBlockIsAnError) {
  BlockAllocator a(2);
  auto b = a.allocate();
  a.release(*b);
  EXPECT_THROW(a.release(*b), Error);
  EXPECT_THROW(a.retain(*b), Error);
}

TEST(BlockTable, GrowsBlockByBlockAndFreesEverything) {
  KvBlockPool pool(tiny_config(), 8);
  {
    BlockTable t(pool);
    ASSERT_TRUE(t.reserve(5));
    EXPECT_EQ(t.blocks().size(), 2u);
    t.append(iota_tokens(5));
    ASSERT_TRUE(t.reserve(3));
    EXPECT_EQ(t.blocks().size(), 2u);
    t.append(iota_tokens(3, 200));
    ASSERT_TRUE(t.reserve(1));
    EXPECT_EQ(t.blocks().size(), 3u);
    EXPECT_EQ(pool.blocks().num_used(), 3);
  }
  EXPECT_EQ(pool.blocks().num_free(), 8) << "a block leaked";
}

TEST(BlockTable, ExhaustionIsAllOrNothing) {
  KvBlockPool pool(tiny_config(), 3);
  BlockTable a(pool), b(pool);
  ASSERT_TRUE(a.reserve(8));
  EXPECT_FALSE(b.reserve(8));
  EXPECT_TRUE(b.blocks().empty());
  EXPECT_EQ(pool.blocks().num_free(), 1);
  EXPECT_TRUE(b.reserve(4));
  EXPECT_THROW(b.append(iota_tokens(5)), Error);
}

TEST(BlockTable, ForkSharesBlocksAndCopiesOnWrite) {
  KvBlockPool pool(tiny_config(), 8);
  BlockTable parent(pool);
  ASSERT_TRUE(parent.reserve(6));
  write_marker(pool, parent, 0, 6, 1.f);
  parent.append(iota_tokens(6));
  BlockTable child = parent.fork();
  EXPECT_EQ(child.blocks(), parent.blocks());
  EXPECT_EQ(pool.blocks().ref_count(parent.blocks()[1]), 2);

  ASSERT_TRUE(child.reserve(1));
  EXPECT_EQ(child.blocks()[0], parent.blocks()[0]) << "full blocks stay shared";
  EXPECT_NE(child.blocks()[1], parent.blocks()[1]) << "the partial block is copied before writing";
  EXPECT_EQ(read_marker(pool, child, 5), 1.f) << "the copy carries the cached keys";
  write_marker(pool, child, 6, 7, 2.f);
  child.append(iota_tokens(1, 900));
  EXPECT_EQ(pool.blocks().ref_count(parent.blocks()[1]), 1);
  child.clear();
  parent.clear();
  EXPECT_EQ(pool.blocks().num_free(), 8);
}

TEST(PrefixCache, SecondRequestReusesFullBlocksOfTheSamePrompt) {
  KvBlockPool pool(tiny_config(), 8);
  std::vector<TokenId> prompt = iota_tokens(10);
  BlockId first_block;
  {
    BlockTable a(pool);
    EXPECT_EQ(a.adopt_cached_prefix(prompt), 0);
    ASSERT_TRUE(a.reserve(10));
    a.append(prompt);
    first_block = a.blocks()[0];
    BlockTable b(pool);
    EXPECT_EQ(b.adopt_cached_prefix(prompt), 8) << "two full blocks are shared while a is alive";
    EXPECT_EQ(b.blocks()[0], first_block);
    EXPECT_EQ(pool.blocks().ref_count(first_block), 2);
  }
  EXPECT_EQ(pool.blocks().num_cached(), 2);
  EXPECT_EQ(pool.blocks().num_free(), 8) << "cached blocks are free to evict";
  BlockTable c(pool);
  EXPECT_EQ(c.adopt_cached_prefix(prompt), 8) << "cached blocks outlive their sequence";

  std::vector<TokenId> other = prompt;
  other[1] = 7;
  BlockTable d(pool);
  EXPECT_EQ(d.adopt_cached_prefix(other), 0) << "a different first block invalidates the whole chain";
}

// Without prefix caching, a finished sequence's blocks are free at once and the next sequence
// gets the very same ones back, so a server touches no more of the pool than it has in use.
TEST(PrefixCache, OffReusesFreedBlocksInsteadOfFreshOnes) {
  KvCacheConfig config = tiny_config();
  config.prefix_caching = false;
  KvBlockPool pool(config, 8);
  const std::vector<TokenId> prompt = iota_tokens(10);
  std::vector<BlockId> used;
  {
    BlockTable a(pool);
    ASSERT_TRUE(a.reserve(10));
    a.append(prompt);
    used = a.blocks();
  }
  EXPECT_EQ(pool.blocks().num_cached(), 0);
  BlockTable b(pool);
  EXPECT_EQ(b.adopt_cached_prefix(prompt), 0);
  ASSERT_TRUE(b.reserve(10));
  std::vector<BlockId> reused = b.blocks();
  std::sort(used.begin(), used.end());
  std::sort(reused.begin(), reused.end());
  EXPECT_EQ(reused, used);
}

TEST(PrefixCache, NeverAdoptsTheBlockHoldingTheLastPromptToken) {
  KvBlockPool pool(tiny_config(), 8);
  std::vector<TokenId> prompt = iota_tokens(8);
  BlockTable a(pool);
  ASSERT_TRUE(a.reserve(8));
  a.append(prompt);
  BlockTable b(pool);
  EXPECT_EQ(b.adopt_cached_prefix(prompt), 4);
}

TEST(PrefixCache, EvictsLeastRecentlyUsedCachedBlocksWhenFull) {
  KvBlockPool pool(tiny_config(), 4);
  std::vector<TokenId> p1 = iota_tokens(9, 0), p2 = iota_tokens(9, 50);
  {
    BlockTable a(pool);
    ASSERT_TRUE(a.reserve(8));
    a.append(std::span(p1).first(8));
  }
  {
    BlockTable b(pool);
    ASSERT_TRUE(b.reserve(8));
    b.append(std::span(p2).first(8));
  }
  EXPECT_EQ(pool.blocks().num_cached(), 4);
  {
    BlockTable touch(pool);
    EXPECT_EQ(touch.adopt_cached_prefix(p1), 8);  // p1's blocks become most recently used
  }
  BlockTable big(pool);
  ASSERT_TRUE(big.reserve(8));  // must evict two blocks: p2's, the least recently used
  BlockTable again(pool);
  EXPECT_EQ(again.adopt_cached_prefix(p1), 8);
  BlockTable gone(pool);
  EXPECT_EQ(gone.adopt_cached_prefix(p2), 0);
}

TEST(PrefixCache, TruncatedCachedBlockIsCopiedBeforeRewriting) {
  KvBlockPool pool(tiny_config(), 8);
  BlockTable a(pool);
  ASSERT_TRUE(a.reserve(8));
  a.append(iota_tokens(8));
  BlockId cached = a.blocks()[1];
  a.truncate(6);
  ASSERT_TRUE(a.reserve(1));
  EXPECT_NE(a.blocks()[1], cached) << "writing into a cached block would corrupt the prefix cache";
  a.append(iota_tokens(1, 999));
  BlockTable b(pool);
  std::vector<TokenId> original = iota_tokens(9);
  EXPECT_EQ(b.adopt_cached_prefix(original), 8);
}

}  // namespace
}  // namespace onnxgen
