#pragma once
#include <string>

#include "runtime/graph/graph.h"

namespace onnxgen {

// Loads an .onnx file into the IR. Initializers stored as external data become views into
// memory-mapped files next to the model. Throws Error naming the file and what is wrong.
Model load_model(const std::string& path);
// Same, from serialized bytes; external data resolves against `base_dir`.
Model load_model_from_bytes(const void* data, size_t size, const std::string& base_dir,
                            const std::string& label = "<memory>");

}  // namespace onnxgen
