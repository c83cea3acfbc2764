#include "tests/conformance/value_files.h"

#include <fstream>
#include <sstream>

#include "onnx/onnx-data_pb.h"
#include "runtime/core/sequence.h"
#include "runtime/graph/tensor_proto.h"

namespace onnxgen::conformance {
namespace {

Tensor from_proto(onnx::SequenceProto& proto) {
  ONNXGEN_CHECK(proto.elem_type() == onnx::SequenceProto::TENSOR || proto.tensor_values_size() == 0,
                "only sequences of tensors are supported, got elem_type ", proto.elem_type());
  std::vector<Tensor> items;
  for (auto& t : *proto.mutable_tensor_values()) items.push_back(tensor_from_proto(t, nullptr));
  return make_sequence(DataType::kUndefined, std::move(items));
}

Tensor from_proto(onnx::OptionalProto& proto) {
  if (proto.has_tensor_value()) return tensor_from_proto(*proto.mutable_tensor_value(), nullptr);
  if (proto.has_sequence_value()) return from_proto(*proto.mutable_sequence_value());
  ONNXGEN_CHECK(!proto.has_map_value() && !proto.has_optional_value() && !proto.has_sparse_tensor_value(),
                "only optionals of tensors and sequences are supported");
  return empty_optional();
}

template <class Proto>
Proto parse(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ONNXGEN_CHECK(in, "cannot open '", path, "'");
  Proto proto;
  ONNXGEN_CHECK(proto.ParseFromIstream(&in), "'", path, "' is not a valid ", proto.GetTypeName(), " file");
  return proto;
}

}  // namespace

Tensor read_value_file(const std::string& path, ValueInfo::Kind kind) {
  try {
    switch (kind) {
      case ValueInfo::Kind::kSequence: {
        auto proto = parse<onnx::SequenceProto>(path);
        return from_proto(proto);
      }
      case ValueInfo::Kind::kOptional: {
        auto proto = parse<onnx::OptionalProto>(path);
        return from_proto(proto);
      }
      default: return read_tensor_file(path);
    }
  } catch (const Error& e) {
    fail("'", path, "': ", e.what());
  }
}

}  // namespace onnxgen::conformance
