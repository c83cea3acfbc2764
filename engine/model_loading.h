#pragma once
// Opens a model directory: its config, its tokenizer and a runner for its graph — paged when the
// attention rewrite recognises every layer, the contiguous-KV fallback otherwise.
#include <memory>
#include <string>

#include "engine/model_runner.h"
#include "models/model_config.h"
#include "onnxgen/engine.h"
#include "tokenizer/tokenizer.h"

namespace onnxgen::engine {

struct LoadedModel {
  models::ModelConfig config;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer;
  std::unique_ptr<ModelRunner> runner;
};

LoadedModel load_model_dir(const std::string& dir, const EngineOptions& options);

}  // namespace onnxgen::engine
