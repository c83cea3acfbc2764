#pragma once
// A request's "messages": each a role and content given as a string or as a list of text parts.
#include <nlohmann/json.hpp>
#include <vector>

#include "onnxgen/engine.h"

namespace onnxgen::server {

// Throws ApiError 400 (param "messages") for anything else, an image part say.
std::vector<ChatMessage> chat_messages(const nlohmann::json& body);

}  // namespace onnxgen::server
