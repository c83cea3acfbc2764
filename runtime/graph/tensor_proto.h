#pragma once
// Conversion between onnx.TensorProto and Tensor. Raw data is adopted, not copied, and external
// data is a view into a memory-mapped file.
#include <map>
#include <memory>
#include <string>

#include "runtime/core/mapped_file.h"
#include "runtime/core/tensor.h"

namespace onnx {
class TensorProto;
}

namespace onnxgen {

// Resolves TensorProto external data (`location`, `offset`, `length`) relative to a model's
// directory, mapping each file once.
class ExternalDataResolver {
 public:
  explicit ExternalDataResolver(std::string base_dir) : base_dir_(std::move(base_dir)) {}
  std::shared_ptr<MappedFile> file(const std::string& location);

 private:
  std::string base_dir_;
  std::map<std::string, std::shared_ptr<MappedFile>> files_;
};

// `proto` may be emptied (its raw data is moved into the tensor). `resolver` may be null when
// external data is not allowed.
Tensor tensor_from_proto(onnx::TensorProto& proto, ExternalDataResolver* resolver);
void tensor_to_proto(const Tensor& tensor, onnx::TensorProto* proto);

// A serialized TensorProto file, as in ONNX's test data (input_0.pb).
Tensor read_tensor_file(const std::string& path);
void write_tensor_file(const Tensor& tensor, const std::string& path, const std::string& name = "");

}  // namespace onnxgen
