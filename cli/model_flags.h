#pragma once
// Flags every model-running command shares (generate, chat, serve, bench): which model, how the
// engine runs it, and how tokens are selected.
#include <string>
#include <vector>

#include "cli/commands.h"
#include "onnxgen/engine.h"

namespace onnxgen::cli {

// The model the project ships (models/default), used when a command gets no MODEL_DIR.
std::string default_model_dir();
// The first positional argument, or the default model.
std::string model_dir_arg(const Args& args);

extern const std::vector<std::string> kEngineFlags;      // --threads --kv-cache-mb ...
extern const std::vector<std::string> kGenerationFlags;  // --temperature --top-k ...
EngineOptions engine_options(const Args& args);
GenerationParams generation_params(const Args& args);

// `known` plus every engine and generation flag.
std::vector<std::string> with_model_flags(std::vector<std::string> known);

}  // namespace onnxgen::cli
