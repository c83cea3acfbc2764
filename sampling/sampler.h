#pragma once
// Picks the next token of one sequence from its logits: penalties and bias, then temperature,
// top-k, top-p, min-p and typical-p truncation, then a seeded draw (or argmax). Keeps the
// per-sequence state the penalties need. Scratch buffers are reused, so steady-state sampling
// does not allocate.
#include <cstdint>
#include <span>
#include <vector>

#include "sampling/rng.h"
#include "sampling/sampling_params.h"

namespace onnxgen::sampling {

struct TokenLogprob {
  int32_t token;
  float logprob;
};

struct SampledToken {
  int32_t token = -1;
  float logprob = 0;               // under the model's unprocessed distribution; with params.logprobs only
  std::vector<TokenLogprob> top;  // the params.top_logprobs most likely tokens, most likely first
};

class Sampler {
 public:
  Sampler(SamplingParams params, int64_t vocab_size);

  // Tokens the repetition penalty counts besides generated ones.
  void observe_prompt(std::span<const int32_t> prompt);
  // `logits` (vocab_size values) is used as scratch and overwritten.
  SampledToken sample(std::span<float> logits);
  // Records a token chosen elsewhere (beam search, forced tokens) for the penalties.
  void record(int32_t token);

  const SamplingParams& params() const { return params_; }

 private:
  struct Candidate {
    float logit;
    int32_t token;
  };
  void apply_penalties(std::span<float> logits) const;
  // Fills candidates_ with the `k` largest logits, largest first.
  void select_top(std::span<const float> logits, int64_t k);
  void truncate_top_p(std::span<const float> logits, float max_logit, double z);
  void truncate_min_p();
  void truncate_typical();
  int32_t draw();

  SamplingParams params_;
  int64_t vocab_;
  Rng rng_;
  std::vector<int32_t> generated_counts_;
  std::vector<uint8_t> seen_;  // prompt or generated, for the repetition penalty
  std::vector<int32_t> seen_list_;
  std::vector<Candidate> candidates_;
  std::vector<double> probs_;
  std::vector<float> raw_;
};

// log(sum(exp(x))) and the max, in one pass pair.
double log_sum_exp(std::span<const float> x, float* max_out = nullptr);

}  // namespace onnxgen::sampling
