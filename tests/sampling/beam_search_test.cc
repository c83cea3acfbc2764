#include "sampling/beam_search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

namespace onnxgen::sampling {
namespace {

constexpr int64_t kVocab = 16;

// A deterministic toy "model": next-token log-probs depend on the whole prefix.
std::vector<float> model(const std::vector<int32_t>& seq) {
  uint32_t h = 2166136261u;
  for (int32_t t : seq) h = (h ^ static_cast<uint32_t>(t)) * 16777619u;
  std::vector<float> logits(kVocab);
  for (int64_t v = 0; v < kVocab; ++v)
    logits[v] = static_cast<float>(((h >> (8 * (v % 4))) ^ static_cast<uint32_t>(v * 31)) % 97) / 10.0f;
  float m = *std::max_element(logits.begin(), logits.end());
  double z = 0;
  for (float l : logits) z += std::exp(l - m);
  for (float& l : logits) l = static_cast<float>(l - m - std::log(z));
  return logits;
}

std::vector<BeamHypothesis> run_beams(BeamSearchParams p, const std::vector<int32_t>& prompt) {
  BeamSearch bs(p, prompt);
  while (!bs.done()) {
    std::vector<float> lp;
    for (int b = 0; b < bs.num_beams(); ++b) {
      auto row = model(bs.sequence(b));
      lp.insert(lp.end(), row.begin(), row.end());
    }
    bs.step(lp, kVocab);
  }
  return bs.results();
}

TEST(BeamSearch, EnoughBeamsFindTheExactBestSequence) {
  const std::vector<int32_t> prompt = {1, 2};
  const int steps = 2;
  double best = -1e9;
  std::vector<int32_t> best_seq;
  std::function<void(std::vector<int32_t>, double, int)> search = [&](std::vector<int32_t> seq, double lp, int left) {
    if (left == 0) {
      if (lp > best) best = lp, best_seq = seq;
      return;
    }
    auto row = model(seq);
    for (int32_t v = 0; v < kVocab; ++v) {
      auto next = seq;
      next.push_back(v);
      search(next, lp + row[v], left - 1);
    }
  };
  search(prompt, 0, steps);

  BeamSearchParams p;
  p.num_beams = 16;  // >= vocab^(steps-1): no candidate is ever pruned
  p.length_penalty = 0.0f;
  p.max_length = static_cast<int64_t>(prompt.size()) + steps;
  auto results = run_beams(p, prompt);
  EXPECT_EQ(results[0].tokens, best_seq);
  EXPECT_NEAR(results[0].score, best, 1e-5);
}

TEST(BeamSearch, EosFinishesHypothesesWithoutTheEosToken) {
  BeamSearchParams p;
  p.num_beams = 2;
  p.max_length = 10;
  p.early_stopping = true;
  p.eos_token_ids = {2};
  BeamSearch bs(p, {0});
  // Step 1: from the prompt, eos (2) is best, then 1, then 0.
  std::vector<float> lp = {std::log(0.1f), std::log(0.3f), std::log(0.6f), -1e9f, -1e9f, -1e9f};
  auto parents = bs.step(lp, 3);
  EXPECT_EQ(parents, (std::vector<int>{0, 0}));
  EXPECT_EQ(bs.sequence(0), (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(bs.sequence(1), (std::vector<int32_t>{0, 0}));
  // Step 2: both beams end with eos: two finished hypotheses, early stopping ends the search.
  std::vector<float> lp2 = {-5, -5, -0.01f, -5, -5, -0.02f};
  bs.step(lp2, 3);
  ASSERT_TRUE(bs.done());
  auto r = bs.results();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].tokens, (std::vector<int32_t>{0})) << "the eos after the prompt scored best";
}

TEST(BeamSearch, BadParametersAreRejected) {
  BeamSearchParams p;
  p.num_beams = 2;
  p.num_return_sequences = 3;
  p.max_length = 5;
  EXPECT_THROW(BeamSearch(p, {1}), std::exception);
  p.num_return_sequences = 1;
  p.max_length = 1;
  EXPECT_THROW(BeamSearch(p, {1}), std::exception);
}

}  // namespace
}  // namespace onnxgen::sampling
