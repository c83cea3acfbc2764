#pragma once
// Checks every generation request passes before anything is submitted.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "onnxgen/generation.h"
#include "server/server_context.h"

namespace onnxgen::server {

// 503 while the server shuts down.
void check_accepting(const ServerContext& ctx);
// 404 when the body names a model this server does not serve.
void check_model(const ServerContext& ctx, const nlohmann::json& body);
// 400 with both numbers when a prompt (plus the tokens asked for) does not fit the context.
void check_fits_context(const ServerContext& ctx, const std::vector<int32_t>& prompt, const GenerationParams& params,
                        const char* param);
// 400 for a token id outside the vocabulary (checked before narrowing, so a huge id is reported as itself).
int32_t checked_token_id(const ServerContext& ctx, const nlohmann::json& id, const char* param);

}  // namespace onnxgen::server
