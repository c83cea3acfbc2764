#include "runtime/core/sequence.h"

namespace onnxgen {
namespace {

class SequenceBuffer : public Buffer {
 public:
  SequenceBuffer(DataType elem_type, std::vector<Tensor> items)
      : Buffer(nullptr, 0, Device::cpu()), elem_type_(elem_type), items_(std::move(items)) {}
  DataType elem_type() const { return elem_type_; }
  const std::vector<Tensor>& items() const { return items_; }

 private:
  DataType elem_type_;
  std::vector<Tensor> items_;
};

const SequenceBuffer& sequence_buffer(const Tensor& t) {
  const auto* seq = t.dtype() == DataType::kSequence ? dynamic_cast<const SequenceBuffer*>(t.buffer().get()) : nullptr;
  if (!seq) fail("expected a sequence, got ", t.describe());
  return *seq;
}

}  // namespace

Tensor make_sequence(DataType elem_type, std::vector<Tensor> items) {
  for (const Tensor& item : items) {
    ONNXGEN_CHECK(item.defined() && !is_sequence(item) && !is_empty_optional(item),
                  "a sequence holds tensors, got ", item.describe());
    if (elem_type == DataType::kUndefined) elem_type = item.dtype();
    ONNXGEN_CHECK(item.dtype() == elem_type, "a sequence of ", to_string(elem_type), " cannot hold ", item.describe());
  }
  const auto length = static_cast<int64_t>(items.size());
  return Tensor(DataType::kSequence, {length}, std::make_shared<SequenceBuffer>(elem_type, std::move(items)));
}

bool is_sequence(const Tensor& t) { return t.dtype() == DataType::kSequence; }

const std::vector<Tensor>& sequence_items(const Tensor& t) { return sequence_buffer(t).items(); }

DataType sequence_elem_type(const Tensor& t) { return sequence_buffer(t).elem_type(); }

Tensor empty_optional() {
  static const auto nothing = std::make_shared<Buffer>(nullptr, 0, Device::cpu());
  return Tensor(DataType::kEmptyOptional, {}, nothing);
}

bool is_empty_optional(const Tensor& t) { return t.dtype() == DataType::kEmptyOptional; }

}  // namespace onnxgen
