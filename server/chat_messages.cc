#include "server/chat_messages.h"

#include "runtime/core/error.h"
#include "server/api_error.h"

namespace onnxgen::server {
namespace {

[[noreturn]] void bad_message(size_t i, const std::string& why) {
  throw ApiError(400, str_cat("messages[", i, "]: ", why), "messages");
}

std::string content_text(const nlohmann::json& content, size_t i) {
  // Null content is what an assistant turn that only called tools carries.
  if (content.is_null()) return {};
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) bad_message(i, "'content' must be a string or a list of content parts");
  std::string text;
  for (const auto& part : content) {
    auto type = part.is_object() ? part.find("type") : part.end();
    if (!part.is_object() || type == part.end() || !type->is_string())
      bad_message(i, "each content part must be an object with a 'type'");
    if (*type != "text") bad_message(i, str_cat("content parts of type '", type->get<std::string>(), "' are not supported, only 'text'"));
    auto t = part.find("text");
    if (t == part.end() || !t->is_string()) bad_message(i, "a text part needs a string 'text'");
    text += t->get<std::string>();
  }
  return text;
}

}  // namespace

std::vector<ChatMessage> chat_messages(const nlohmann::json& body) {
  auto it = body.find("messages");
  if (it == body.end() || !it->is_array() || it->empty())
    throw ApiError(400, "'messages' must be a non-empty list of messages", "messages");
  std::vector<ChatMessage> out;
  for (size_t i = 0; i < it->size(); ++i) {
    const auto& m = (*it)[i];
    if (!m.is_object()) bad_message(i, "must be an object");
    auto role = m.find("role");
    if (role == m.end() || !role->is_string()) bad_message(i, "needs a string 'role'");
    auto content = m.find("content");
    out.push_back({role->get<std::string>(), content_text(content == m.end() ? nlohmann::json() : *content, i)});
  }
  return out;
}

}  // namespace onnxgen::server
