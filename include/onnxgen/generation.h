#pragma once
// What a generation request asks for and what it gets back. Unset optional fields inherit the
// model's defaults (generation_config.json or genai_config.json's "search").
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace onnxgen {

struct GenerationParams {
  // Length. Generation stops at whichever limit comes first; with neither set, at the model's
  // default max_length or its context length.
  std::optional<int64_t> max_new_tokens;
  std::optional<int64_t> max_length;  // prompt included
  int64_t min_new_tokens = 0;         // eos and stop strings are ignored before this

  // Sampling. do_sample=false (or temperature 0) is greedy decoding.
  std::optional<bool> do_sample;
  std::optional<float> temperature;
  std::optional<int> top_k;
  std::optional<float> top_p;
  std::optional<float> min_p;
  std::optional<float> typical_p;
  std::optional<float> repetition_penalty;
  float presence_penalty = 0;
  float frequency_penalty = 0;
  std::map<int32_t, float> logit_bias;
  std::optional<uint64_t> seed;  // unset: a fresh random seed per request

  // n independent samples sharing the prompt's KV blocks.
  int n = 1;
  // Beam search when num_beams > 1 (greedy scoring; incompatible with n > 1).
  std::optional<int> num_beams;
  std::optional<float> length_penalty;
  std::optional<bool> early_stopping;
  int num_return_sequences = 1;

  std::vector<std::string> stop;         // never emitted; matched across token boundaries
  std::vector<int32_t> stop_token_ids;   // in addition to the model's eos ids
  bool ignore_eos = false;
  bool skip_special_tokens = true;

  bool logprobs = false;
  int top_logprobs = 0;  // alternatives reported per token when logprobs is set
};

enum class FinishReason { kNone, kStop, kLength, kCancelled, kError };
const char* to_string(FinishReason r);

struct TopLogprob {
  int32_t token;
  float logprob;
};

struct TokenLogprobs {
  int32_t token;
  float logprob;
  std::vector<TopLogprob> top;
};

// One streamed increment of one returned sequence (index 0..n-1). Beam search streams nothing
// until it finishes: its final sequences arrive as one event each with finish set.
struct StreamEvent {
  int index = 0;
  std::vector<int32_t> tokens;  // tokens this event adds (usually one; none on a bare finish)
  std::string text;             // text delta; may be empty while a character or stop string is pending
  std::vector<TokenLogprobs> logprobs;  // per token in `tokens`, when requested
  FinishReason finish = FinishReason::kNone;
  std::string error;  // with FinishReason::kError
};

struct SequenceResult {
  std::vector<int32_t> tokens;  // generated tokens only (a matched stop token is included, eos is not)
  std::string text;
  FinishReason finish = FinishReason::kNone;
  double score = 0;  // beam search: the length-penalised score
  std::vector<TokenLogprobs> logprobs;
};

struct GenerationResult {
  std::vector<int32_t> prompt;
  std::vector<SequenceResult> sequences;
  int64_t cached_prompt_tokens = 0;  // prompt tokens served from the prefix cache
  double time_to_first_token_s = 0;
  double total_time_s = 0;
  std::string error;  // set when the request failed inside the engine
};

}  // namespace onnxgen
