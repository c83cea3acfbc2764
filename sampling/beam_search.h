#pragma once
// Beam search over one prompt, with the semantics of onnxruntime-genai's and Hugging Face's
// beam scorer: 2 × num_beams candidates per step, finished hypotheses scored
// sum_logprobs / length^length_penalty, early_stopping as in Hugging Face.
#include <cstdint>
#include <span>
#include <vector>

namespace onnxgen::sampling {

struct BeamSearchParams {
  int num_beams = 4;
  float length_penalty = 1.0f;
  bool early_stopping = false;
  int num_return_sequences = 1;
  std::vector<int32_t> eos_token_ids;
  int64_t max_length = 0;  // total length, prompt included
};

struct BeamHypothesis {
  std::vector<int32_t> tokens;  // prompt + generated, without the final eos
  double score = 0;
};

class BeamSearch {
 public:
  BeamSearch(BeamSearchParams params, std::vector<int32_t> prompt);

  int num_beams() const { return params_.num_beams; }
  const std::vector<int32_t>& sequence(int beam) const { return beams_[static_cast<size_t>(beam)].tokens; }
  int64_t length() const { return static_cast<int64_t>(beams_[0].tokens.size()); }

  // `log_probs` holds num_beams rows of `vocab` log-probabilities, one per running beam. Extends
  // the beams and returns, per new beam, the index of the beam it continues (to fork KV caches).
  std::vector<int> step(std::span<const float> log_probs, int64_t vocab);
  bool done() const { return done_; }
  // The best num_return_sequences hypotheses, best first; running beams count when none finished.
  std::vector<BeamHypothesis> results() const;

 private:
  struct Beam {
    std::vector<int32_t> tokens;
    double score;
  };
  void add_hypothesis(std::vector<int32_t> tokens, double sum_logprobs);
  bool is_eos(int32_t t) const;

  BeamSearchParams params_;
  std::vector<Beam> beams_;
  std::vector<BeamHypothesis> finished_;
  bool first_step_ = true;
  bool done_ = false;
};

}  // namespace onnxgen::sampling
