#pragma once
// The OpenAI request fields that steer generation (length, sampling, penalties, stop, logprobs,
// plus vLLM's extensions top_k, min_p, repetition_penalty, ...) → the engine's GenerationParams.
#include <nlohmann/json.hpp>

#include "onnxgen/generation.h"

namespace onnxgen::server {

enum class Endpoint { kChatCompletions, kCompletions };

// Throws ApiError (400, naming the field) for a value of the wrong type or out of range.
GenerationParams generation_params(const nlohmann::json& body, Endpoint endpoint);

}  // namespace onnxgen::server
