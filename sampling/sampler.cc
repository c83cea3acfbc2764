#include "sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "runtime/core/error.h"

namespace onnxgen::sampling {
namespace {

uint64_t fresh_seed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

double log_sum_exp(std::span<const float> x, float* max_out) {
  float m = -INFINITY;
  for (float v : x) m = std::max(m, v);
  double s = 0;
  for (float v : x) s += std::exp(static_cast<double>(v - m));
  if (max_out) *max_out = m;
  return static_cast<double>(m) + std::log(s);
}

Sampler::Sampler(SamplingParams params, int64_t vocab_size)
    : params_(std::move(params)), vocab_(vocab_size), rng_(params_.seed ? *params_.seed : fresh_seed()) {
  ONNXGEN_CHECK(vocab_size > 0, "vocabulary size must be positive");
  params_.validate(vocab_size);
  generated_counts_.assign(static_cast<size_t>(vocab_size), 0);
  seen_.assign(static_cast<size_t>(vocab_size), 0);
  seen_list_.reserve(static_cast<size_t>(vocab_size));  // recording a token never reallocates
}

void Sampler::observe_prompt(std::span<const int32_t> prompt) {
  for (int32_t t : prompt)
    if (t >= 0 && t < vocab_ && !seen_[t]) {
      seen_[t] = 1;
      seen_list_.push_back(t);
    }
}

void Sampler::record(int32_t token) {
  ONNXGEN_CHECK(token >= 0 && token < vocab_, "token ", token, " is outside the vocabulary of ", vocab_);
  ++generated_counts_[token];
  if (!seen_[token]) {
    seen_[token] = 1;
    seen_list_.push_back(token);
  }
}

void Sampler::apply_penalties(std::span<float> logits) const {
  if (params_.repetition_penalty != 1.0f)
    for (int32_t t : seen_list_) {
      float& l = logits[t];
      l = l > 0 ? l / params_.repetition_penalty : l * params_.repetition_penalty;
    }
  if (params_.presence_penalty != 0.0f || params_.frequency_penalty != 0.0f)
    for (int32_t t : seen_list_)
      if (int count = generated_counts_[t]; count > 0)
        logits[t] -= params_.presence_penalty + params_.frequency_penalty * static_cast<float>(count);
  for (const auto& [token, bias] : params_.logit_bias) logits[token] += bias;
}

void Sampler::select_top(std::span<const float> logits, int64_t k) {
  k = std::min<int64_t>(k, vocab_);
  candidates_.resize(static_cast<size_t>(vocab_));
  for (int64_t i = 0; i < vocab_; ++i) candidates_[i] = {logits[i], static_cast<int32_t>(i)};
  auto by_logit = [](const Candidate& a, const Candidate& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.token < b.token);
  };
  std::nth_element(candidates_.begin(), candidates_.begin() + (k - 1), candidates_.end(), by_logit);
  candidates_.resize(static_cast<size_t>(k));
  std::sort(candidates_.begin(), candidates_.end(), by_logit);
}

// The smallest most-likely set whose probability reaches top_p. Grows the candidate count
// geometrically instead of sorting the whole vocabulary.
void Sampler::truncate_top_p(std::span<const float> logits, float max_logit, double z) {
  int64_t k = params_.top_k > 0 ? params_.top_k : std::min<int64_t>(64, vocab_);
  for (;;) {
    select_top(logits, k);
    double mass = 0;
    for (size_t i = 0; i < candidates_.size(); ++i) {
      mass += std::exp(static_cast<double>(candidates_[i].logit - max_logit)) / z;
      if (mass >= params_.top_p) {
        candidates_.resize(i + 1);
        return;
      }
    }
    if (k >= vocab_ || params_.top_k > 0) return;
    k = std::min<int64_t>(k * 8, vocab_);
  }
}

void Sampler::truncate_min_p() {
  // Candidates are sorted, so the first is the most likely.
  float cutoff = candidates_[0].logit + std::log(params_.min_p);
  size_t keep = 1;
  while (keep < candidates_.size() && candidates_[keep].logit >= cutoff) ++keep;
  candidates_.resize(keep);
}

// Keeps the tokens whose surprise is closest to the distribution's entropy until their mass
// reaches typical_p (Meister et al., as in Hugging Face's TypicalLogitsWarper).
void Sampler::truncate_typical() {
  double m = candidates_[0].logit, z = 0;
  for (const auto& c : candidates_) z += std::exp(c.logit - m);
  double log_z = m + std::log(z), entropy = 0;
  for (const auto& c : candidates_) {
    double lp = c.logit - log_z;
    entropy -= std::exp(lp) * lp;
  }
  std::stable_sort(candidates_.begin(), candidates_.end(), [&](const Candidate& a, const Candidate& b) {
    return std::fabs(-(a.logit - log_z) - entropy) < std::fabs(-(b.logit - log_z) - entropy);
  });
  double mass = 0;
  size_t keep = 0;
  while (keep < candidates_.size()) {
    mass += std::exp(candidates_[keep].logit - log_z);
    ++keep;
    if (mass >= params_.typical_p) break;
  }
  candidates_.resize(keep);
}

int32_t Sampler::draw() {
  double m = candidates_[0].logit;
  for (const auto& c : candidates_) m = std::max<double>(m, c.logit);
  probs_.resize(candidates_.size());
  double total = 0;
  for (size_t i = 0; i < candidates_.size(); ++i) total += probs_[i] = std::exp(candidates_[i].logit - m);
  double u = rng_.uniform() * total;
  for (size_t i = 0; i < candidates_.size(); ++i) {
    u -= probs_[i];
    if (u < 0) return candidates_[i].token;
  }
  return candidates_.back().token;
}

SampledToken Sampler::sample(std::span<float> logits) {
  ONNXGEN_CHECK(static_cast<int64_t>(logits.size()) == vocab_, "sampler got ", logits.size(),
                " logits for a vocabulary of ", vocab_);
  SampledToken out;
  const bool logprobs = params_.logprobs || params_.top_logprobs > 0;
  const double raw_lse = logprobs ? log_sum_exp(logits) : 0.0;
  if (params_.top_logprobs > 0) {
    select_top(logits, params_.top_logprobs);
    for (const auto& c : candidates_) out.top.push_back({c.token, static_cast<float>(c.logit - raw_lse)});
  }
  // The chosen token's logprob is reported under the unprocessed distribution.
  if (logprobs) raw_.assign(logits.begin(), logits.end());
  apply_penalties(logits);

  if (params_.greedy()) {
    out.token = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  } else {
    float inv_t = 1.0f / params_.temperature;
    for (float& l : logits) l *= inv_t;
    float max_logit;
    double z = std::exp(log_sum_exp(logits, &max_logit) - max_logit);
    if (params_.top_p < 1.0f) truncate_top_p(logits, max_logit, z);
    else select_top(logits, params_.top_k > 0 ? params_.top_k : vocab_);
    if (params_.min_p > 0.0f) truncate_min_p();
    if (params_.typical_p < 1.0f) truncate_typical();
    out.token = draw();
  }
  if (logprobs) out.logprob = static_cast<float>(raw_[out.token] - raw_lse);
  record(out.token);
  return out;
}

}  // namespace onnxgen::sampling
