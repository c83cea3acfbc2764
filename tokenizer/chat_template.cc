#include "chat_template.h"

#include "jinja_interpreter.h"
#include "jinja_parser.h"

namespace onnxgen::tokenizer {

ChatTemplate::ChatTemplate(const std::string& source) : body_(jinja::parse(source)) {}
ChatTemplate::~ChatTemplate() = default;
ChatTemplate::ChatTemplate(ChatTemplate&&) noexcept = default;
ChatTemplate& ChatTemplate::operator=(ChatTemplate&&) noexcept = default;

ChatTemplate ChatTemplate::from_tokenizer(const Tokenizer& tokenizer, const std::string& name) {
  const auto source = tokenizer.config().chat_template(name);
  if (!source) throw Error("tokenizer_config.json has no chat_template");
  try {
    return ChatTemplate(*source);
  } catch (const TemplateError& e) {
    throw TemplateError("chat_template '" + name + "': " + e.what());
  }
}

std::string ChatTemplate::render(const nlohmann::ordered_json& variables) const {
  if (!variables.is_object()) throw TemplateError("template variables must be a JSON object");
  const jinja::Value context = jinja::Value::from_json(variables);
  return jinja::Interpreter(context.as_dict()).render(body_);
}

std::string ChatTemplate::apply(const nlohmann::ordered_json& messages, const TokenizerConfig& config,
                                const ChatOptions& options) const {
  nlohmann::ordered_json vars = options.extra.is_object() ? options.extra : nlohmann::ordered_json::object();
  vars["messages"] = messages;
  vars["add_generation_prompt"] = options.add_generation_prompt;
  vars["tools"] = options.tools;
  vars["documents"] = nullptr;
  const auto put = [&](const char* key, const std::optional<std::string>& token) {
    if (token) vars[key] = *token;
  };
  put("bos_token", config.bos_token);
  put("eos_token", config.eos_token);
  put("pad_token", config.pad_token);
  put("unk_token", config.unk_token);
  return render(vars);
}

}  // namespace onnxgen::tokenizer
