#include "server/request_checks.h"

#include "runtime/core/error.h"
#include "server/api_error.h"
#include "server/request_fields.h"

namespace onnxgen::server {

void check_accepting(const ServerContext& ctx) {
  if (ctx.draining) throw ApiError(503, "the server is shutting down");
}

void check_model(const ServerContext& ctx, const nlohmann::json& body) {
  auto model = string_field(body, "model");
  if (model && *model != ctx.model_name)
    throw ApiError(404, str_cat("The model '", *model, "' does not exist; this server serves '", ctx.model_name, "'"),
                   "model", "model_not_found");
}

void check_fits_context(const ServerContext& ctx, const std::vector<int32_t>& prompt, const GenerationParams& params,
                        const char* param) {
  const int64_t context = ctx.engine->info().context_length;
  const int64_t prompt_tokens = static_cast<int64_t>(prompt.size());
  if (prompt_tokens >= context)
    throw ApiError(400, str_cat("This model's maximum context length is ", context, " tokens, but the prompt has ",
                                prompt_tokens, " tokens"),
                   param, "context_length_exceeded");
  if (params.max_new_tokens && prompt_tokens + *params.max_new_tokens > context)
    throw ApiError(400, str_cat("This model's maximum context length is ", context, " tokens, but ", prompt_tokens,
                                " prompt tokens + ", *params.max_new_tokens, " max_tokens = ",
                                prompt_tokens + *params.max_new_tokens, " tokens were requested"),
                   "max_tokens", "context_length_exceeded");
}

int32_t checked_token_id(const ServerContext& ctx, const nlohmann::json& id, const char* param) {
  if (!id.is_number_integer()) throw ApiError(400, str_cat("'", param, "' must hold integer token ids"), param);
  const int64_t vocab = ctx.engine->info().vocab_size;
  if (id.is_number_unsigned() ? id.get<uint64_t>() >= static_cast<uint64_t>(vocab)
                              : (id.get<int64_t>() < 0 || id.get<int64_t>() >= vocab))
    throw ApiError(400, str_cat("token id ", id.dump(), " is outside the vocabulary of ", vocab, " tokens"), param);
  return static_cast<int32_t>(id.get<int64_t>());
}

}  // namespace onnxgen::server
