#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tokenizer.h"

namespace onnxgen::tokenizer {

namespace jinja {
struct Stmt;
}

struct ChatOptions {
  bool add_generation_prompt = true;
  // Tool schemas (JSON array; ordered_json keeps their key order). null renders as
  // `tools = none`, as transformers passes it.
  nlohmann::ordered_json tools;
  // Further template variables, e.g. {"enable_thinking": false}.
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
};

// A Hugging Face chat template (a Jinja2 program), parsed once and rendered per conversation
// with the variables transformers' apply_chat_template provides.
class ChatTemplate {
 public:
  // Throws TemplateError with the line of the first syntax error.
  explicit ChatTemplate(const std::string& source);
  ~ChatTemplate();
  ChatTemplate(ChatTemplate&&) noexcept;
  ChatTemplate& operator=(ChatTemplate&&) noexcept;

  // The tokenizer's template called `name` (or its default). Throws Error when it has none.
  static ChatTemplate from_tokenizer(const Tokenizer& tokenizer, const std::string& name = "default");

  // Renders with arbitrary variables (a JSON object).
  std::string render(const nlohmann::ordered_json& variables) const;

  // `messages` is a JSON array of {"role", "content", ...}; bos/eos/pad/unk token strings come
  // from the tokenizer's config.
  std::string apply(const nlohmann::ordered_json& messages, const TokenizerConfig& config, const ChatOptions& options = {}) const;

 private:
  std::vector<std::unique_ptr<jinja::Stmt>> body_;
};

}  // namespace onnxgen::tokenizer
