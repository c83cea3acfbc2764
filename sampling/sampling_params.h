#pragma once
// What a request asks of token selection; the same fields the OpenAI API and
// generation_config.json carry.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "runtime/core/error.h"

namespace onnxgen::sampling {

// A field out of its range; field() spells it as the OpenAI API and generation_config.json do.
class InvalidSamplingParam : public Error {
 public:
  InvalidSamplingParam(std::string field, const std::string& message) : Error(message), field_(std::move(field)) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

struct SamplingParams {
  float temperature = 1.0f;  // 0 selects greedy decoding
  int top_k = 0;             // 0 disables
  float top_p = 1.0f;
  float min_p = 0.0f;
  float typical_p = 1.0f;
  float repetition_penalty = 1.0f;  // >1 discourages tokens already in prompt or output (CTRL-style)
  float presence_penalty = 0.0f;    // OpenAI: subtracted once from tokens already generated
  float frequency_penalty = 0.0f;   // OpenAI: subtracted per occurrence in generated tokens
  std::map<int32_t, float> logit_bias;
  std::optional<uint64_t> seed;
  bool logprobs = false;  // report each token's logprob: a pass over the whole vocabulary per token
  int top_logprobs = 0;   // alternatives reported with each token's logprob (implies logprobs)

  bool greedy() const { return temperature == 0.0f || top_k == 1; }
  // Throws InvalidSamplingParam for the first out-of-range field.
  void validate(int64_t vocab_size) const;
};

}  // namespace onnxgen::sampling
