#pragma once
// The JSON an OpenAI client expects back: chat.completion / text_completion objects, their
// streamed chunks, usage and logprobs, for one request.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "onnxgen/engine.h"
#include "server/generation_stream.h"
#include "server/openai_params.h"

namespace onnxgen::server {

class ResponseFormat {
 public:
  ResponseFormat(Endpoint endpoint, const Engine& engine, std::string model, int choices);

  // The streamed chunk for one event; null when it carries nothing a client would see.
  nlohmann::json chunk(const ChoiceEvent& e);
  // The last chunk of a stream with stream_options.include_usage: no choices, only usage.
  nlohmann::json usage_chunk(const std::vector<GenerationResult>& results) const;
  // The whole non-streamed response (instead of chunks, not after them).
  nlohmann::json response(const std::vector<GenerationResult>& results);

 private:
  nlohmann::json envelope(const char* object) const;
  nlohmann::json logprobs(int choice, const std::vector<TokenLogprobs>& tokens);
  std::string token_text(int32_t token) const;

  Endpoint endpoint_;
  const Engine& engine_;
  std::string id_;
  std::string model_;
  int64_t created_;
  std::vector<bool> role_sent_;        // chat streams open each choice with the assistant role
  std::vector<size_t> text_offset_;    // completions logprobs: where each choice's next token starts
};

nlohmann::json usage(const std::vector<GenerationResult>& results);
// OpenAI's finish_reason: "stop", "length", "abort" (cancelled), "error"; null while running.
nlohmann::json finish_reason(FinishReason r);

}  // namespace onnxgen::server
