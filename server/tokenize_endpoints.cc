// POST /tokenize and /detokenize (vLLM's extension): what the model sees, without generating.
#include "server/api_error.h"
#include "server/chat_messages.h"
#include "server/endpoints.h"
#include "server/request_checks.h"
#include "server/request_fields.h"

namespace onnxgen::server {

// {"prompt": "...", "add_special_tokens": true} or {"messages": [...], "add_generation_prompt": true}
// → {"tokens": [...], "count": N, "max_model_len": context}
void handle_tokenize(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = parse_body(req.body);
  check_model(ctx, body);
  std::vector<int32_t> tokens;
  if (has_field(body, "messages")) {
    auto messages = chat_messages(body);
    std::string rendered;
    try {
      rendered = ctx.engine->apply_chat_template(messages, bool_field(body, "add_generation_prompt").value_or(true));
    } catch (const std::exception& e) {
      throw ApiError(400, std::string("cannot apply the model's chat template: ") + e.what(), "messages");
    }
    tokens = ctx.engine->encode(rendered, bool_field(body, "add_special_tokens").value_or(false));
  } else {
    auto prompt = string_field(body, "prompt");
    if (!prompt) throw ApiError(400, "'prompt' (a string) or 'messages' is required", "prompt");
    tokens = ctx.engine->encode(*prompt, bool_field(body, "add_special_tokens").value_or(true));
  }
  nlohmann::json out = {{"tokens", tokens},
                        {"count", tokens.size()},
                        {"max_model_len", ctx.engine->info().context_length}};
  res.set_content(out.dump(), "application/json");
}

// {"tokens": [...]} → {"prompt": "..."}
void handle_detokenize(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = parse_body(req.body);
  check_model(ctx, body);
  auto it = body.find("tokens");
  if (it == body.end() || !it->is_array()) throw ApiError(400, "'tokens' must be a list of token ids", "tokens");
  std::vector<int32_t> tokens;
  for (const auto& t : *it) tokens.push_back(checked_token_id(ctx, t, "tokens"));
  auto text = ctx.engine->decode(tokens, bool_field(body, "skip_special_tokens").value_or(false));
  res.set_content(nlohmann::json({{"prompt", text}}).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

}  // namespace onnxgen::server
