#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

constexpr int64_t BLOCKS = 16;

struct Sequence {
  int64_t context;               // tokens in cache after the step
  int64_t new_tokens;            // queried this step
  std::vector<int32_t> blocks;   // block table
};

struct Case {
  std::vector<Sequence> seqs = {{7, 3, {5, 2}}, {10, 1, {1, 7, 3}}, {4, 4, {9}}};
  float softcap = 0;
  int64_t window = 0;
  DataType cache_dtype = DataType::kFloat;
  int64_t block_size = 4;  // 16 takes the kernel's tiled prefill path
  int64_t heads = 4, kv_heads = 2, dim = 8;
  DataType activation_dtype = DataType::kFloat;  // of query, key, value and the output
};

// Naive attention over each sequence's full K/V, against PagedAttention reading the paged cache.
void check(const Case& c, float tolerance) {
  const int64_t BS = c.block_size, H = c.heads, KVH = c.kv_heads, D = c.dim;
  std::mt19937 rng(42);
  std::normal_distribution<float> normal;
  int64_t tokens = 0;
  for (const auto& s : c.seqs) tokens += s.new_tokens;
  // Full keys/values per sequence: [pos][kvh][d].
  std::vector<std::vector<float>> keys, values;
  for (const auto& s : c.seqs) {
    keys.emplace_back(static_cast<size_t>(s.context * KVH * D));
    values.emplace_back(static_cast<size_t>(s.context * KVH * D));
    for (auto& x : keys.back()) x = normal(rng);
    for (auto& x : values.back()) x = normal(rng);
  }
  int64_t pool_blocks = BLOCKS;
  for (const auto& s : c.seqs)
    for (int32_t b : s.blocks) pool_blocks = std::max<int64_t>(pool_blocks, b + 1);
  Tensor key_cache = Tensor::zeros(c.cache_dtype, {pool_blocks, KVH, BS, D});
  Tensor value_cache = Tensor::zeros(c.cache_dtype, {pool_blocks, KVH, BS, D});
  auto cache_index = [BS, KVH, D](const Sequence& s, int64_t pos, int64_t h, int64_t d) {
    return ((s.blocks[pos / BS] * KVH + h) * BS + pos % BS) * D + d;
  };
  auto put = [&](Tensor& cache, int64_t i, float v) {
    if (c.cache_dtype == DataType::kFloat) cache.data<float>()[i] = v;
    else cache.data<Float16>()[i] = Float16(v);
  };
  Tensor q = Tensor::empty(DataType::kFloat, {tokens, H * D});
  Tensor k = Tensor::empty(DataType::kFloat, {tokens, KVH * D});
  Tensor v = Tensor::empty(DataType::kFloat, {tokens, KVH * D});
  std::vector<int32_t> slots, lens, loc = {0};
  int64_t max_blocks = 0;
  for (const auto& s : c.seqs) max_blocks = std::max<int64_t>(max_blocks, static_cast<int64_t>(s.blocks.size()));
  std::vector<int32_t> tables(c.seqs.size() * static_cast<size_t>(max_blocks), 0);
  int64_t t = 0;
  for (size_t si = 0; si < c.seqs.size(); ++si) {
    const Sequence& s = c.seqs[si];
    std::copy(s.blocks.begin(), s.blocks.end(), tables.begin() + static_cast<long>(si * max_blocks));
    for (int64_t pos = 0; pos < s.context; ++pos)
      for (int64_t h = 0; h < KVH; ++h)
        for (int64_t d = 0; d < D; ++d) {
          float kv = keys[si][(pos * KVH + h) * D + d], vv = values[si][(pos * KVH + h) * D + d];
          if (pos < s.context - s.new_tokens) {
            put(key_cache, cache_index(s, pos, h, d), kv);
            put(value_cache, cache_index(s, pos, h, d), vv);
          } else {
            int64_t row = t + pos - (s.context - s.new_tokens);
            k.data<float>()[row * KVH * D + h * D + d] = kv;
            v.data<float>()[row * KVH * D + h * D + d] = vv;
          }
        }
    for (int64_t i = 0; i < s.new_tokens; ++i) {
      int64_t pos = s.context - s.new_tokens + i;
      slots.push_back(static_cast<int32_t>(s.blocks[pos / BS] * BS + pos % BS));
      for (int64_t x = 0; x < H * D; ++x) q.data<float>()[(t + i) * H * D + x] = normal(rng);
    }
    t += s.new_tokens;
    lens.push_back(static_cast<int32_t>(s.context));
    loc.push_back(static_cast<int32_t>(t));
  }
  int64_t n_seqs = static_cast<int64_t>(c.seqs.size());
  std::map<std::string, Attribute> attrs = {{"num_heads", int_attribute(H)}, {"num_kv_heads", int_attribute(KVH)}};
  if (c.softcap > 0) attrs["softcap"] = float_attribute(c.softcap);
  if (c.window > 0) attrs["sliding_window"] = int_attribute(c.window);
  // Float16 activations: the op gets q, k and v rounded to float16 (the reference keeps the
  // float values; the tolerance covers the rounding) and answers in float16.
  const auto activation = [&](const Tensor& x) {
    if (c.activation_dtype == DataType::kFloat) return x;
    Tensor h = Tensor::empty(DataType::kFloat16, x.shape());
    for (int64_t i = 0; i < x.numel(); ++i) h.data<Float16>()[i] = Float16(x.data<float>()[i]);
    return h;
  };
  auto out = run_node("PagedAttention",
                      {activation(q), activation(k), activation(v), key_cache, value_cache,
                       make_tensor<int32_t>({tokens}, slots), make_tensor<int32_t>({n_seqs, max_blocks}, tables),
                       make_tensor<int32_t>({n_seqs}, lens), make_tensor<int32_t>({n_seqs + 1}, loc)},
                      attrs, 1, 17, "com.onnxgen");
  ASSERT_EQ(out[0].describe(), activation(q).describe());
  if (c.activation_dtype != DataType::kFloat) {
    Tensor widened = Tensor::empty(DataType::kFloat, out[0].shape());
    for (int64_t i = 0; i < widened.numel(); ++i) widened.data<float>()[i] = static_cast<float>(out[0].data<Float16>()[i]);
    out[0] = widened;
  }

  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  t = 0;
  for (size_t si = 0; si < c.seqs.size(); ++si) {
    const Sequence& s = c.seqs[si];
    for (int64_t i = 0; i < s.new_tokens; ++i, ++t) {
      int64_t pos = s.context - s.new_tokens + i;
      int64_t first = c.window > 0 ? std::max<int64_t>(0, pos - c.window + 1) : 0;
      for (int64_t h = 0; h < H; ++h) {
        int64_t kvh = h / (H / KVH);
        std::vector<double> scores;
        for (int64_t j = first; j <= pos; ++j) {
          double sc = 0;
          for (int64_t d = 0; d < D; ++d)
            sc += q.data<float>()[t * H * D + h * D + d] * keys[si][(j * KVH + kvh) * D + d];
          sc *= scale;
          if (c.softcap > 0) sc = c.softcap * std::tanh(sc / c.softcap);
          scores.push_back(sc);
        }
        double m = *std::max_element(scores.begin(), scores.end()), z = 0;
        for (double& sc : scores) z += sc = std::exp(sc - m);
        for (int64_t d = 0; d < D; ++d) {
          double want = 0;
          for (int64_t j = first; j <= pos; ++j) want += scores[j - first] / z * values[si][(j * KVH + kvh) * D + d];
          EXPECT_NEAR(out[0].data<float>()[t * H * D + h * D + d], want, tolerance)
              << "seq " << si << " token " << i << " head " << h << " dim " << d;
        }
      }
    }
  }
  // The new tokens' keys landed in their slots.
  const Sequence& s0 = c.seqs[0];
  int64_t pos = s0.context - 1, h = KVH - 1;
  float cached = c.cache_dtype == DataType::kFloat ? key_cache.data<float>()[cache_index(s0, pos, h, 3)]
                                                   : static_cast<float>(key_cache.data<Float16>()[cache_index(s0, pos, h, 3)]);
  EXPECT_NEAR(cached, keys[0][(pos * KVH + h) * D + 3], tolerance);
}

TEST(PagedAttention, MixedPrefillAndDecodeMatchNaiveAttention) { check(Case{}, 1e-4f); }

TEST(PagedAttention, SoftcapAndSlidingWindow) {
  Case c;
  c.softcap = 2.0f;
  c.window = 3;
  check(c, 1e-4f);
}

// Contexts longer than one pass of the kernel's keys (512): the online softmax carries its max and
// sum across passes. Blocks in reverse order, so no pass reads rows in pool order.
TEST(PagedAttention, LongContextsSpanSeveralPasses) {
  const auto reversed_blocks = [](int64_t count, int32_t top) {
    std::vector<int32_t> blocks;
    for (int64_t i = 0; i < count; ++i) blocks.push_back(top - static_cast<int32_t>(i));
    return blocks;
  };
  Case c;
  c.seqs = {{1100, 2, reversed_blocks(275, 274)}, {1030, 1, reversed_blocks(258, 600)}};
  check(c, 1e-4f);
  c.window = 700;
  check(c, 1e-4f);
}

TEST(PagedAttention, Float16Cache) {
  Case c;
  c.cache_dtype = DataType::kFloat16;
  check(c, 5e-3f);
}

// Blocks of 16 keys or a multiple: prefill goes through tiles of query tokens times the heads of a KV group, with
// causal and sliding-window masks per row; the decode sequence of the same step too.
TEST(PagedAttention, TiledPrefillMatchesNaiveAttention) {
  Case c;
  c.block_size = 16;
  c.seqs = {{40, 37, {3, 0, 5}}, {21, 1, {1, 4}}, {50, 18, {6, 2, 7, 8}}, {17, 17, {9, 10}}};
  check(c, 1e-4f);
  c.softcap = 2.0f;
  c.window = 11;
  check(c, 1e-4f);
  c.softcap = 0;
  c.window = 0;
  c.cache_dtype = DataType::kFloat16;
  check(c, 5e-3f);
  // Blocks of 32 (the tables list more blocks than these contexts reach): tiles of 16 keys.
  c.cache_dtype = DataType::kFloat;
  c.block_size = 32;
  check(c, 1e-4f);
  c.window = 11;
  check(c, 1e-4f);
}

// Sequences of the given contexts, each querying its last token, over blocks in a shuffled order.
std::vector<Sequence> decoding(const std::vector<int64_t>& contexts, int64_t block_size) {
  std::vector<int32_t> order;
  for (int64_t n : contexts)
    for (int64_t b = 0; b < (n + block_size - 1) / block_size; ++b) order.push_back(static_cast<int32_t>(order.size()));
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  std::vector<Sequence> seqs;
  size_t at = 0;
  for (int64_t n : contexts) {
    const auto blocks = static_cast<size_t>((n + block_size - 1) / block_size);
    seqs.push_back({n, 1, std::vector<int32_t>(order.begin() + static_cast<long>(at),
                                               order.begin() + static_cast<long>(at + blocks))});
    at += blocks;
  }
  return seqs;
}

// Decode steps of the head and block sizes with a dedicated kernel: every query head of a KV group
// at once, contexts split across threads and past 512 keys (the partial softmaxes merged), keys
// starting mid-vector under a sliding window, partial last vectors, float16 caches.
TEST(PagedAttention, DecodeStepsMatchNaiveAttention) {
  struct Heads {
    int64_t heads, kv_heads, dim;
  };
  for (const Heads& h : {Heads{9, 3, 64}, Heads{14, 2, 64}, Heads{4, 4, 96}, Heads{8, 2, 128}, Heads{2, 1, 256}})
    for (int64_t block_size : {16, 32}) {
      SCOPED_TRACE(::testing::Message() << h.heads << "/" << h.kv_heads << " heads of " << h.dim << ", blocks of "
                                        << block_size);
      Case c;
      c.heads = h.heads;
      c.kv_heads = h.kv_heads;
      c.dim = h.dim;
      c.block_size = block_size;
      c.seqs = decoding({1, 17, 200, 1100}, block_size);
      check(c, 1e-4f);
      c.seqs = decoding({700}, block_size);
      check(c, 1e-4f);
      // Decoding sequences in a step with prefill chunks: those go through the tiles.
      c.seqs = decoding({40, 200, 17, 300}, block_size);
      c.seqs[0].new_tokens = 37;
      c.seqs[2].new_tokens = 17;
      check(c, 1e-4f);
      c.window = 37;
      c.softcap = 3.0f;
      c.seqs = decoding({5, 100, 1100}, block_size);
      check(c, 1e-4f);
      c.window = 0;
      c.softcap = 0;
      c.cache_dtype = DataType::kFloat16;
      check(c, 5e-3f);
      c.activation_dtype = DataType::kFloat16;
      check(c, 1e-2f);
    }
}

// A decoding sequence's output does not depend on what it is batched with: the same bits alone
// and between two other sequences, one of them in prefill (the engine's greedy texts rely on it).
TEST(PagedAttention, DecodeOfASequenceIsTheSameInAnyBatch) {
  constexpr int64_t kH = 9, kKVH = 3, kD = 64, kBS = 16, kBlocks = 40;
  std::mt19937 rng(3);
  std::normal_distribution<float> normal;
  const auto random = [&](Shape shape) {
    Tensor t = Tensor::empty(DataType::kFloat, std::move(shape));
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = normal(rng);
    return t;
  };
  const Tensor keys = random({kBlocks, kKVH, kBS, kD}), values = random({kBlocks, kKVH, kBS, kD});
  // Sequence 1 (context 300 in blocks 0..18, one query) between sequences of 40 tokens (the last
  // 8 of them queried: a prefill chunk) and 90 tokens (one query).
  const std::vector<int32_t> lens = {40, 300, 90}, first_block = {30, 0, 33}, queries = {8, 1, 1}, first_query = {0, 8, 9};
  const Tensor q = random({10, kH * kD}), k = random({10, kKVH * kD}), v = random({10, kKVH * kD});
  const auto run = [&](const std::vector<int>& seqs) {
    const auto n = static_cast<int64_t>(seqs.size());
    std::vector<int32_t> tables(static_cast<size_t>(n * 19), 0), slots, ctx, loc = {0};
    int64_t tokens = 0;
    for (int s : seqs) tokens += queries[s];
    Tensor qs = Tensor::empty(DataType::kFloat, {tokens, kH * kD}),
           ks = Tensor::empty(DataType::kFloat, {tokens, kKVH * kD}),
           vs = Tensor::empty(DataType::kFloat, {tokens, kKVH * kD});
    for (int64_t i = 0; i < n; ++i) {
      const int s = seqs[static_cast<size_t>(i)];
      for (int32_t b = 0; b < (lens[s] + kBS - 1) / kBS; ++b) tables[static_cast<size_t>(i * 19 + b)] = first_block[s] + b;
      for (int32_t j = 0; j < queries[s]; ++j) {
        const int32_t pos = lens[s] - queries[s] + j, t = loc.back() + j, from = first_query[s] + j;
        slots.push_back((first_block[s] + pos / kBS) * kBS + pos % kBS);
        std::copy_n(q.data<float>() + from * kH * kD, kH * kD, qs.data<float>() + t * kH * kD);
        std::copy_n(k.data<float>() + from * kKVH * kD, kKVH * kD, ks.data<float>() + t * kKVH * kD);
        std::copy_n(v.data<float>() + from * kKVH * kD, kKVH * kD, vs.data<float>() + t * kKVH * kD);
      }
      ctx.push_back(lens[s]);
      loc.push_back(loc.back() + queries[s]);
    }
    Tensor key_cache = Tensor::empty(DataType::kFloat, keys.shape()), value_cache = Tensor::empty(DataType::kFloat, values.shape());
    std::copy_n(keys.data<float>(), keys.numel(), key_cache.data<float>());
    std::copy_n(values.data<float>(), values.numel(), value_cache.data<float>());
    return run_node("PagedAttention",
                    {qs, ks, vs, key_cache, value_cache, make_tensor<int32_t>({tokens}, slots),
                     make_tensor<int32_t>({n, 19}, tables), make_tensor<int32_t>({n}, ctx),
                     make_tensor<int32_t>({n + 1}, loc)},
                    {{"num_heads", int_attribute(kH)}, {"num_kv_heads", int_attribute(kKVH)}}, 1, 17,
                    "com.onnxgen")[0];
  };
  const Tensor alone = run({1}), batched = run({0, 1, 2});
  for (int64_t x = 0; x < kH * kD; ++x)
    ASSERT_EQ(alone.data<float>()[x], batched.data<float>()[8 * kH * kD + x]) << "at " << x;
}

TEST(PagedAttention, BlockOutsideThePoolIsRejected) {
  Tensor cache = Tensor::zeros(DataType::kFloat, {2, 1, 4, 2});
  auto run = [&](std::vector<int32_t> table) {
    return run_node("PagedAttention",
                    {Tensor::zeros(DataType::kFloat, {1, 2}), Tensor::zeros(DataType::kFloat, {1, 2}),
                     Tensor::zeros(DataType::kFloat, {1, 2}), cache, cache, make_tensor<int32_t>({1}, {0}),
                     make_tensor<int32_t>({1, 1}, table), make_tensor<int32_t>({1}, {1}),
                     make_tensor<int32_t>({2}, {0, 1})},
                    {{"num_heads", int_attribute(1)}}, 1, 17, "com.onnxgen");
  };
  EXPECT_NO_THROW(run({1}));
  try {
    run({5});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("outside the pool of 2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace onnxgen::testing
