#include "runtime/ops/cpu/attention_core.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "runtime/core/error.h"

namespace onnxgen {
namespace {

// One batch, D = 1: scores are q * k, so softmax weights are easy to write down.
struct Tiny {
  std::vector<float> q, k, v, y;
  AttentionSpec spec;
  Tiny(std::vector<float> q_, std::vector<float> k_, std::vector<float> v_, int64_t q_heads = 1, int64_t kv_heads = 1)
      : q(std::move(q_)), k(std::move(k_)), v(std::move(v_)) {
    spec.batch = 1;
    spec.q_heads = q_heads;
    spec.kv_heads = kv_heads;
    spec.q_len = static_cast<int64_t>(q.size()) / q_heads;
    spec.kv_len = static_cast<int64_t>(k.size()) / kv_heads;
    spec.head_size = spec.v_head_size = 1;
    y.assign(q.size(), -1.0f);
  }
  std::vector<float> run() {
    scaled_dot_product_attention(ThreadPool::global(), spec, HeadsView::bnsh(q.data(), spec.q_heads, spec.q_len, 1),
                                 HeadsView::bnsh(k.data(), spec.kv_heads, spec.kv_len, 1),
                                 HeadsView::bnsh(v.data(), spec.kv_heads, spec.kv_len, 1),
                                 HeadsView::bnsh(y.data(), spec.q_heads, spec.q_len, 1));
    return y;
  }
};

TEST(AttentionCore, SoftmaxWeightsTheValues) {
  // Scores 0 and ln 3: weights 1/4 and 3/4 of values 4 and 8.
  Tiny t({1.0f}, {0.0f, std::log(3.0f)}, {4.0f, 8.0f});
  EXPECT_NEAR(t.run()[0], 7.0f, 1e-5f);
}

TEST(AttentionCore, CausalRowsSeeOnlyEarlierKeys) {
  Tiny t({1.0f, 1.0f}, {0.0f, std::log(3.0f)}, {4.0f, 8.0f});
  t.spec.causal = true;
  const auto y = t.run();
  EXPECT_NEAR(y[0], 4.0f, 1e-6f);
  EXPECT_NEAR(y[1], 7.0f, 1e-5f);
}

TEST(AttentionCore, OffsetShiftsTheCausalFrontierAndWindowCutsTheLeft) {
  // One query at absolute position 2 over 3 keys; a left window of 1 drops key 0.
  Tiny t({1.0f}, {5.0f, 0.0f, std::log(3.0f)}, {100.0f, 4.0f, 8.0f});
  t.spec.causal = true;
  t.spec.offsets = {2};
  t.spec.left_window = 1;
  EXPECT_NEAR(t.run()[0], 7.0f, 1e-5f);
}

TEST(AttentionCore, GroupedHeadsShareKeysAndValues) {
  Tiny t({1.0f, 0.0f}, {0.0f, std::log(3.0f)}, {4.0f, 8.0f}, /*q_heads=*/2, /*kv_heads=*/1);
  const auto y = t.run();
  EXPECT_NEAR(y[0], 7.0f, 1e-5f);
  EXPECT_NEAR(y[1], 6.0f, 1e-5f);  // equal scores: the mean
}

TEST(AttentionCore, FullyMaskedRowIsZeroAndAdditiveMaskShifts) {
  Tiny t({1.0f, 1.0f}, {0.0f, 0.0f}, {4.0f, 8.0f});
  const bool keep[] = {false, false, true, true};
  AttentionMask m;
  m.keep = keep;
  m.query_stride = 2;
  m.width = 2;
  t.spec.masks.push_back(m);
  const float add[] = {std::log(3.0f), 0.0f};
  AttentionMask a;
  a.additive = add;
  a.width = 2;
  t.spec.masks.push_back(a);
  const auto y = t.run();
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_NEAR(y[1], 5.0f, 1e-5f);  // weights 3/4, 1/4
}

TEST(AttentionCore, SoftcapAndSinkChangeTheWeights) {
  // Softcap 1 maps a huge score to tanh(...) ~ 1; equal capped scores average the values.
  Tiny t({1.0f}, {50.0f, 60.0f}, {4.0f, 8.0f});
  t.spec.softcap = 1.0f;
  EXPECT_NEAR(t.run()[0], 6.0f, 1e-4f);
  // A sink logit 0 next to two zero scores takes a third of the mass.
  Tiny s({1.0f}, {0.0f, 0.0f}, {3.0f, 3.0f});
  s.spec.smooth_softmax = true;
  EXPECT_NEAR(s.run()[0], 2.0f, 1e-5f);
}

TEST(AttentionCore, RejectsHeadsThatDoNotGroup) {
  Tiny t({1.0f, 1.0f, 1.0f}, {0.0f, 0.0f}, {1.0f, 1.0f}, /*q_heads=*/3, /*kv_heads=*/2);
  EXPECT_THROW(t.run(), Error);
}

TEST(AttentionCore, BroadcastMaskChecksShapes) {
  const AttentionMask m = broadcast_mask({3, 4, 5}, 2, 3, 4, "mask");  // [heads, q, keys]
  EXPECT_EQ(m.batch_stride, 0);
  EXPECT_EQ(m.head_stride, 20);
  EXPECT_EQ(m.query_stride, 5);
  EXPECT_EQ(m.width, 5);
  EXPECT_THROW(broadcast_mask({2, 4, 5}, 2, 3, 4, "mask"), Error);
}

}  // namespace
}  // namespace onnxgen
