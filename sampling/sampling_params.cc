#include "sampling/sampling_params.h"

#include <cmath>

#include "runtime/core/error.h"

namespace onnxgen::sampling {

void SamplingParams::validate(int64_t vocab_size) const {
  auto finite = [](float v) { return std::isfinite(v); };
  ONNXGEN_CHECK(finite(temperature) && temperature >= 0, "temperature must be >= 0, got ", temperature);
  ONNXGEN_CHECK(top_k >= 0, "top_k must be >= 0, got ", top_k);
  ONNXGEN_CHECK(finite(top_p) && top_p > 0 && top_p <= 1, "top_p must be in (0, 1], got ", top_p);
  ONNXGEN_CHECK(finite(min_p) && min_p >= 0 && min_p <= 1, "min_p must be in [0, 1], got ", min_p);
  ONNXGEN_CHECK(finite(typical_p) && typical_p > 0 && typical_p <= 1, "typical_p must be in (0, 1], got ", typical_p);
  ONNXGEN_CHECK(finite(repetition_penalty) && repetition_penalty > 0, "repetition_penalty must be > 0, got ",
                repetition_penalty);
  ONNXGEN_CHECK(finite(presence_penalty) && presence_penalty >= -2 && presence_penalty <= 2,
                "presence_penalty must be in [-2, 2], got ", presence_penalty);
  ONNXGEN_CHECK(finite(frequency_penalty) && frequency_penalty >= -2 && frequency_penalty <= 2,
                "frequency_penalty must be in [-2, 2], got ", frequency_penalty);
  ONNXGEN_CHECK(top_logprobs >= 0 && top_logprobs <= 20, "top_logprobs must be in [0, 20], got ", top_logprobs);
  for (const auto& [token, bias] : logit_bias) {
    ONNXGEN_CHECK(token >= 0 && token < vocab_size, "logit_bias names token ", token, ", outside the vocabulary of ",
                  vocab_size);
    ONNXGEN_CHECK(finite(bias) && bias >= -100 && bias <= 100, "logit_bias for token ", token,
                  " must be in [-100, 100], got ", bias);
  }
}

}  // namespace onnxgen::sampling
