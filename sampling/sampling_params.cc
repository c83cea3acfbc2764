#include "sampling/sampling_params.h"

#include <cmath>

namespace onnxgen::sampling {
namespace {

// The message starts with the field's name: "top_p must be in (0, 1], got 2".
template <class... Args>
void require(bool ok, const char* field, const Args&... args) {
  if (!ok) throw InvalidSamplingParam(field, str_cat(field, " ", args...));
}

}  // namespace

void SamplingParams::validate(int64_t vocab_size) const {
  auto finite = [](float v) { return std::isfinite(v); };
  require(finite(temperature) && temperature >= 0, "temperature", "must be >= 0, got ", temperature);
  require(top_k >= 0, "top_k", "must be >= 0, got ", top_k);
  require(finite(top_p) && top_p > 0 && top_p <= 1, "top_p", "must be in (0, 1], got ", top_p);
  require(finite(min_p) && min_p >= 0 && min_p <= 1, "min_p", "must be in [0, 1], got ", min_p);
  require(finite(typical_p) && typical_p > 0 && typical_p <= 1, "typical_p", "must be in (0, 1], got ", typical_p);
  require(finite(repetition_penalty) && repetition_penalty > 0, "repetition_penalty", "must be > 0, got ",
          repetition_penalty);
  require(finite(presence_penalty) && presence_penalty >= -2 && presence_penalty <= 2, "presence_penalty",
          "must be in [-2, 2], got ", presence_penalty);
  require(finite(frequency_penalty) && frequency_penalty >= -2 && frequency_penalty <= 2, "frequency_penalty",
          "must be in [-2, 2], got ", frequency_penalty);
  require(top_logprobs >= 0 && top_logprobs <= 20, "top_logprobs", "must be in [0, 20], got ", top_logprobs);
  for (const auto& [token, bias] : logit_bias) {
    require(token >= 0 && token < vocab_size, "logit_bias", "names token ", token, ", outside the vocabulary of ",
            vocab_size);
    require(finite(bias) && bias >= -100 && bias <= 100, "logit_bias", "for token ", token,
            " must be in [-100, 100], got ", bias);
  }
}

}  // namespace onnxgen::sampling
