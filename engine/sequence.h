#pragma once
// One sequence being generated: its tokens, how many of them the KV cache already holds, and the
// per-sequence state of token selection and text streaming. A request owns one sequence, or
// several for n > 1 samples and beam search.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "onnxgen/generation.h"
#include "sampling/sampler.h"
#include "sampling/stop_matcher.h"
#include "tokenizer/streaming_detokenizer.h"

namespace onnxgen::engine {

class RequestState;

// Where a model runner keeps a sequence's keys and values (block table or contiguous tensors).
class SequenceKv {
 public:
  virtual ~SequenceKv() = default;
};

struct Sequence {
  Sequence(RequestState& owner, int index, std::vector<int32_t> tokens, int64_t prompt_len,
           const tokenizer::Tokenizer& tokenizer, bool skip_special_tokens, std::vector<std::string> stops)
      : request(&owner),
        index(index),
        tokens(std::move(tokens)),
        prompt_len(prompt_len),
        detokenizer(tokenizer, skip_special_tokens),
        stop_matcher(std::move(stops)) {}

  int64_t generated() const { return static_cast<int64_t>(tokens.size()) - prompt_len; }
  // Tokens still to run through the model before this sequence has logits to sample from.
  int64_t pending() const { return static_cast<int64_t>(tokens.size()) - computed; }

  RequestState* request;
  int index;  // the returned sequence (or beam) this is
  std::vector<int32_t> tokens;  // prompt + generated
  int64_t prompt_len;
  int64_t computed = 0;  // leading tokens whose keys and values are in the cache
  std::unique_ptr<SequenceKv> kv;
  std::unique_ptr<sampling::Sampler> sampler;  // null under beam search
  tokenizer::StreamingDetokenizer detokenizer;
  sampling::StopMatcher stop_matcher;
  std::vector<float> beam_logits;  // beam search: this step's row, kept until every beam has one
  bool has_beam_logits = false;
  FinishReason finish = FinishReason::kNone;
  SequenceResult result;
  StreamEvent event;  // the event each step streams, reused
};

}  // namespace onnxgen::engine
