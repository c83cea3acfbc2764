// POST /v1/chat/completions: messages through the model's chat template, then generation.
#include "runtime/core/error.h"
#include "server/api_error.h"
#include "server/chat_messages.h"
#include "server/endpoints.h"
#include "server/generation_response.h"
#include "server/openai_params.h"
#include "server/request_checks.h"
#include "server/request_fields.h"

namespace onnxgen::server {

void handle_chat_completions(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  check_accepting(ctx);
  auto body = parse_body(req.body);
  check_model(ctx, body);
  auto messages = chat_messages(body);
  auto params = generation_params(body, Endpoint::kChatCompletions);
  auto mode = response_mode(body);

  std::string rendered;
  try {
    rendered = ctx.engine->apply_chat_template(messages);
  } catch (const std::exception& e) {
    // No template, or the template itself rejects the conversation (raise_exception).
    throw ApiError(400, str_cat("cannot apply the model's chat template: ", e.what()), "messages");
  }
  // The template writes the special tokens (BOS included) itself.
  auto prompt = ctx.engine->encode(rendered, false);
  check_fits_context(ctx, prompt, params, "messages");

  auto generation = std::make_unique<GenerationStream>(*ctx.engine, std::vector<std::vector<int32_t>>{std::move(prompt)}, params);
  ResponseFormat format(Endpoint::kChatCompletions, *ctx.engine, ctx.model_name, generation->choices());
  send_generation(ctx, req, res, std::move(generation), std::move(format), mode);
}

}  // namespace onnxgen::server
