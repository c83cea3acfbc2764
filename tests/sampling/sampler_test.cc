#include "sampling/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "runtime/core/error.h"

namespace onnxgen::sampling {
namespace {

const std::vector<float> kLogits = {1.0f, 3.0f, 2.0f, 0.5f, -1.0f, 2.5f};

std::vector<double> softmax(const std::vector<float>& x, float temperature = 1.0f) {
  std::vector<double> p(x.size());
  double m = *std::max_element(x.begin(), x.end()), z = 0;
  for (size_t i = 0; i < x.size(); ++i) z += p[i] = std::exp((x[i] - m) / temperature);
  for (auto& v : p) v /= z;
  return p;
}

std::vector<int> histogram(SamplingParams params, int draws, std::vector<float> logits = kLogits) {
  params.seed = params.seed.value_or(1234);
  Sampler s(params, static_cast<int64_t>(logits.size()));
  std::vector<int> counts(logits.size(), 0);
  for (int i = 0; i < draws; ++i) {
    std::vector<float> l = logits;
    ++counts[static_cast<size_t>(s.sample(l).token)];
  }
  return counts;
}

TEST(Sampler, GreedyPicksTheArgmaxWhateverTheSeed) {
  SamplingParams p;
  p.temperature = 0;
  for (uint64_t seed : {1u, 2u, 3u}) {
    p.seed = seed;
    Sampler s(p, 6);
    std::vector<float> l = kLogits;
    EXPECT_EQ(s.sample(l).token, 1);
  }
}

TEST(Sampler, TemperatureOneMatchesSoftmax) {
  const int draws = 200000;
  auto counts = histogram(SamplingParams{}, draws);
  auto p = softmax(kLogits);
  for (size_t i = 0; i < p.size(); ++i)
    EXPECT_NEAR(static_cast<double>(counts[i]) / draws, p[i], 0.005) << "token " << i;
}

TEST(Sampler, TemperatureSharpensTheDistribution) {
  SamplingParams params;
  params.temperature = 0.5f;
  const int draws = 100000;
  auto counts = histogram(params, draws);
  auto p = softmax(kLogits, 0.5f);
  for (size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(static_cast<double>(counts[i]) / draws, p[i], 0.005);
}

TEST(Sampler, TopKNeverLeavesTheKMostLikely) {
  SamplingParams params;
  params.top_k = 2;
  auto counts = histogram(params, 20000);
  for (size_t i = 0; i < counts.size(); ++i)
    if (i != 1 && i != 5) {
      EXPECT_EQ(counts[i], 0) << "token " << i;
    }
  EXPECT_GT(counts[1], counts[5]);
}

TEST(Sampler, TopPNeverSamplesOutsideTheNucleus) {
  // Probabilities sorted: t1 .391, t5 .237, t2 .144, t0 .053... ; top_p .6 needs t1 and t5.
  SamplingParams params;
  params.top_p = 0.6f;
  auto counts = histogram(params, 20000);
  std::set<size_t> nucleus = {1, 5};
  for (size_t i = 0; i < counts.size(); ++i)
    if (!nucleus.count(i)) {
      EXPECT_EQ(counts[i], 0) << "token " << i;
    }
  auto p = softmax(kLogits);
  EXPECT_NEAR(static_cast<double>(counts[1]) / 20000, p[1] / (p[1] + p[5]), 0.02);
}

TEST(Sampler, TopPOverALargeVocabularyGrowsItsCandidateSet) {
  std::vector<float> flat(5000, 0.0f);  // uniform: top_p 0.5001 needs 2,501 candidates (ties go to low ids)
  SamplingParams params;
  params.top_p = 0.5001f;
  auto counts = histogram(params, 4000, flat);
  int outside = 0, distinct = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (i >= 2501) outside += counts[i];
    distinct += counts[i] > 0;
  }
  EXPECT_EQ(outside, 0);
  EXPECT_GT(distinct, 1500);
}

TEST(Sampler, MinPDropsUnlikelyTokens) {
  SamplingParams params;
  params.min_p = 0.5f;  // keeps tokens with p >= 0.5 * p_max: t1 (1.0), t5 (0.61)
  auto counts = histogram(params, 10000);
  for (size_t i : {0u, 2u, 3u, 4u}) EXPECT_EQ(counts[i], 0) << "token " << i;
}

TEST(Sampler, SameSeedSameTokensDifferentSeedDifferentTokens) {
  auto run = [](uint64_t seed) {
    SamplingParams p;
    p.seed = seed;
    Sampler s(p, 6);
    std::vector<int32_t> out;
    for (int i = 0; i < 64; ++i) {
      std::vector<float> l = kLogits;
      out.push_back(s.sample(l).token);
    }
    return out;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

TEST(Sampler, PenaltiesFollowTheirDefinitions) {
  SamplingParams p;
  p.temperature = 0;
  p.repetition_penalty = 4.0f;  // token 1's logit 3 → 0.75, below token 5's 2.5
  Sampler s(p, 6);
  s.observe_prompt(std::vector<int32_t>{1});
  std::vector<float> l = kLogits;
  EXPECT_EQ(s.sample(l).token, 5);

  SamplingParams f;
  f.temperature = 0;
  f.frequency_penalty = 0.4f;
  Sampler g(f, 6);
  std::vector<int32_t> picks;
  for (int i = 0; i < 3; ++i) {
    std::vector<float> x = kLogits;
    picks.push_back(g.sample(x).token);
  }
  // 1 (3.0), then 1 again (2.6 > 2.5), then 5 (1's 2.2 < 2.5).
  EXPECT_EQ(picks, (std::vector<int32_t>{1, 1, 5}));
}

TEST(Sampler, LogitBiasCanForceAToken) {
  SamplingParams p;
  p.logit_bias[4] = 100.0f;
  auto counts = histogram(p, 1000);
  EXPECT_EQ(counts[4], 1000);
}

TEST(Sampler, LogprobsAreOfTheRawDistribution) {
  SamplingParams p;
  p.temperature = 0;
  p.top_logprobs = 3;
  p.logit_bias[0] = 50.0f;
  Sampler s(p, 6);
  std::vector<float> l = kLogits;
  SampledToken t = s.sample(l);
  auto probs = softmax(kLogits);
  EXPECT_EQ(t.token, 0);
  EXPECT_NEAR(t.logprob, std::log(probs[0]), 1e-5);
  ASSERT_EQ(t.top.size(), 3u);
  EXPECT_EQ(t.top[0].token, 1);
  EXPECT_EQ(t.top[1].token, 5);
  EXPECT_EQ(t.top[2].token, 2);
  EXPECT_NEAR(t.top[0].logprob, std::log(probs[1]), 1e-5);
}

TEST(SamplingParams, OutOfRangeValuesAreNamed) {
  // The message, checked to start with the field the error names.
  auto error_of = [](SamplingParams p) {
    try {
      p.validate(100);
    } catch (const InvalidSamplingParam& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind(e.field() + " ", 0), 0u) << message;
      return message;
    }
    return std::string();
  };
  SamplingParams p;
  p.top_p = 0;
  EXPECT_NE(error_of(p).find("top_p"), std::string::npos);
  p = {};
  p.temperature = -1;
  EXPECT_NE(error_of(p).find("temperature"), std::string::npos);
  p = {};
  p.logit_bias[100] = 1;
  EXPECT_NE(error_of(p).find("logit_bias names token 100"), std::string::npos);
  p = {};
  p.presence_penalty = NAN;
  EXPECT_NE(error_of(p).find("presence_penalty"), std::string::npos);
  p = {};
  EXPECT_EQ(error_of(p), "");
}

}  // namespace
}  // namespace onnxgen::sampling
