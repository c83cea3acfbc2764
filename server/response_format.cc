#include "server/response_format.h"

#include <ctime>
#include <random>

namespace onnxgen::server {
namespace {

std::string random_id(const char* prefix) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string id = prefix;
  for (int i = 0; i < 24; ++i) id += hex[rng() & 15];
  return id;
}

nlohmann::json utf8_bytes(const std::string& s) {
  nlohmann::json bytes = nlohmann::json::array();
  for (unsigned char c : s) bytes.push_back(int(c));
  return bytes;
}

}  // namespace

nlohmann::json finish_reason(FinishReason r) {
  switch (r) {
    case FinishReason::kNone: return nullptr;
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kCancelled: return "abort";
    case FinishReason::kError: return "error";
  }
  return nullptr;
}

nlohmann::json usage(const std::vector<GenerationResult>& results) {
  int64_t prompt = 0, completion = 0, cached = 0;
  for (const auto& r : results) {
    prompt += static_cast<int64_t>(r.prompt.size());
    cached += r.cached_prompt_tokens;
    for (const auto& s : r.sequences) completion += static_cast<int64_t>(s.tokens.size());
  }
  return {{"prompt_tokens", prompt},
          {"completion_tokens", completion},
          {"total_tokens", prompt + completion},
          {"prompt_tokens_details", {{"cached_tokens", cached}}}};
}

ResponseFormat::ResponseFormat(Endpoint endpoint, const Engine& engine, std::string model, int choices)
    : endpoint_(endpoint),
      engine_(engine),
      id_(random_id(endpoint == Endpoint::kChatCompletions ? "chatcmpl-" : "cmpl-")),
      model_(std::move(model)),
      created_(static_cast<int64_t>(std::time(nullptr))),
      role_sent_(choices, false),
      text_offset_(choices, 0) {}

nlohmann::json ResponseFormat::envelope(const char* object) const {
  return {{"id", id_}, {"object", object}, {"created", created_}, {"model", model_}};
}

std::string ResponseFormat::token_text(int32_t token) const {
  return engine_.decode(std::span<const int32_t>(&token, 1), false);
}

nlohmann::json ResponseFormat::logprobs(int choice, const std::vector<TokenLogprobs>& tokens) {
  if (endpoint_ == Endpoint::kChatCompletions) {
    nlohmann::json content = nlohmann::json::array();
    for (const auto& t : tokens) {
      std::string text = token_text(t.token);
      nlohmann::json top = nlohmann::json::array();
      for (const auto& alt : t.top) {
        std::string alt_text = token_text(alt.token);
        top.push_back({{"token", alt_text}, {"logprob", alt.logprob}, {"bytes", utf8_bytes(alt_text)}});
      }
      content.push_back({{"token", text}, {"logprob", t.logprob}, {"bytes", utf8_bytes(text)}, {"top_logprobs", top}});
    }
    return {{"content", content}};
  }
  nlohmann::json out = {{"tokens", nlohmann::json::array()},
                        {"token_logprobs", nlohmann::json::array()},
                        {"top_logprobs", nlohmann::json::array()},
                        {"text_offset", nlohmann::json::array()}};
  for (const auto& t : tokens) {
    std::string text = token_text(t.token);
    nlohmann::json top = nlohmann::json::object();
    for (const auto& alt : t.top) top[token_text(alt.token)] = alt.logprob;
    out["tokens"].push_back(text);
    out["token_logprobs"].push_back(t.logprob);
    out["top_logprobs"].push_back(top);
    out["text_offset"].push_back(text_offset_.at(choice));
    text_offset_.at(choice) += text.size();
  }
  return out;
}

nlohmann::json ResponseFormat::chunk(const ChoiceEvent& e) {
  const StreamEvent& ev = e.event;
  const bool chat = endpoint_ == Endpoint::kChatCompletions;
  const bool opens = chat && !role_sent_.at(e.choice);
  if (ev.text.empty() && ev.logprobs.empty() && ev.finish == FinishReason::kNone && !opens) return nullptr;

  nlohmann::json choice = {{"index", e.choice},
                           {"logprobs", ev.logprobs.empty() ? nlohmann::json(nullptr) : logprobs(e.choice, ev.logprobs)},
                           {"finish_reason", finish_reason(ev.finish)}};
  if (chat) {
    nlohmann::json delta = nlohmann::json::object();
    if (opens) delta["role"] = "assistant";
    if (opens || !ev.text.empty()) delta["content"] = ev.text;
    choice["delta"] = std::move(delta);
    role_sent_.at(e.choice) = true;
  } else {
    choice["text"] = ev.text;
  }
  auto out = envelope(chat ? "chat.completion.chunk" : "text_completion");
  out["choices"] = nlohmann::json::array({std::move(choice)});
  return out;
}

nlohmann::json ResponseFormat::usage_chunk(const std::vector<GenerationResult>& results) const {
  auto out = envelope(endpoint_ == Endpoint::kChatCompletions ? "chat.completion.chunk" : "text_completion");
  out["choices"] = nlohmann::json::array();
  out["usage"] = usage(results);
  return out;
}

nlohmann::json ResponseFormat::response(const std::vector<GenerationResult>& results) {
  const bool chat = endpoint_ == Endpoint::kChatCompletions;
  nlohmann::json choices = nlohmann::json::array();
  int index = 0;
  for (const auto& r : results) {
    for (const auto& s : r.sequences) {
      nlohmann::json choice = {{"index", index},
                               {"logprobs", s.logprobs.empty() ? nlohmann::json(nullptr) : logprobs(index, s.logprobs)},
                               {"finish_reason", finish_reason(s.finish)}};
      if (chat)
        choice["message"] = {{"role", "assistant"}, {"content", s.text}};
      else
        choice["text"] = s.text;
      choices.push_back(std::move(choice));
      ++index;
    }
  }
  auto out = envelope(chat ? "chat.completion" : "text_completion");
  out["choices"] = std::move(choices);
  out["usage"] = usage(results);
  return out;
}

}  // namespace onnxgen::server
