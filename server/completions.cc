// POST /v1/completions: raw prompts (a string, strings, token ids or lists of token ids).
#include "runtime/core/error.h"
#include "server/api_error.h"
#include "server/endpoints.h"
#include "server/generation_response.h"
#include "server/openai_params.h"
#include "server/request_checks.h"
#include "server/request_fields.h"

namespace onnxgen::server {
namespace {

constexpr const char* kPromptForms = "'prompt' must be a string, a list of strings, a list of token ids or a list of lists of token ids";

bool is_token_list(const nlohmann::json& j) {
  if (!j.is_array() || j.empty()) return false;
  for (const auto& t : j)
    if (!t.is_number_integer()) return false;
  return true;
}

std::vector<int32_t> token_list(const ServerContext& ctx, const nlohmann::json& j) {
  std::vector<int32_t> ids;
  for (const auto& t : j) ids.push_back(checked_token_id(ctx, t, "prompt"));
  return ids;
}

std::vector<std::vector<int32_t>> prompts(const ServerContext& ctx, const nlohmann::json& body) {
  auto it = body.find("prompt");
  if (it == body.end() || it->is_null()) throw ApiError(400, "'prompt' is required", "prompt");
  const auto& prompt = *it;
  if (prompt.is_string()) return {ctx.engine->encode(prompt.get<std::string>())};
  if (is_token_list(prompt)) return {token_list(ctx, prompt)};
  if (!prompt.is_array() || prompt.empty()) throw ApiError(400, kPromptForms, "prompt");
  std::vector<std::vector<int32_t>> out;
  for (const auto& p : prompt) {
    if (p.is_string())
      out.push_back(ctx.engine->encode(p.get<std::string>()));
    else if (is_token_list(p))
      out.push_back(token_list(ctx, p));
    else
      throw ApiError(400, kPromptForms, "prompt");
  }
  return out;
}

}  // namespace

void handle_completions(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  check_accepting(ctx);
  auto body = parse_body(req.body);
  check_model(ctx, body);
  auto params = generation_params(body, Endpoint::kCompletions);
  auto mode = response_mode(body);
  auto inputs = prompts(ctx, body);
  for (const auto& p : inputs) {
    if (p.empty()) throw ApiError(400, "a prompt encodes to no tokens", "prompt");
    check_fits_context(ctx, p, params, "prompt");
  }

  auto generation = std::make_unique<GenerationStream>(*ctx.engine, inputs, params);
  ResponseFormat format(Endpoint::kCompletions, *ctx.engine, ctx.model_name, generation->choices());
  send_generation(ctx, req, res, std::move(generation), std::move(format), mode);
}

}  // namespace onnxgen::server
