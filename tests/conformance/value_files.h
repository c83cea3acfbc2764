#pragma once
// Reads the value files of ONNX's backend test data (input_K.pb / output_K.pb): a TensorProto,
// SequenceProto or OptionalProto, into the executor's representation (runtime/core/sequence.h).
#include <string>

#include "runtime/core/tensor.h"
#include "runtime/graph/graph.h"

namespace onnxgen::conformance {

// `kind` is the graph's declared type of the value; the files do not say which proto they hold.
Tensor read_value_file(const std::string& path, ValueInfo::Kind kind);

}  // namespace onnxgen::conformance
