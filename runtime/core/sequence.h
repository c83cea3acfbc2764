#pragma once
// ONNX's non-tensor values, seq(tensor) and optional(...), carried through the executor as Tensors
// so slots, captures and control flow need no second value type. A sequence is a Tensor of
// DataType::kSequence, shape [length], whose buffer owns the elements; an optional holding a value
// is that value itself, and an empty one is a Tensor of DataType::kEmptyOptional.
#include <vector>

#include "runtime/core/tensor.h"

namespace onnxgen {

// `elem_type` is kept for an empty sequence, whose element type cannot come from its elements.
Tensor make_sequence(DataType elem_type, std::vector<Tensor> items);
bool is_sequence(const Tensor& t);
// The elements; fails naming the value when `t` is not a sequence.
const std::vector<Tensor>& sequence_items(const Tensor& t);
DataType sequence_elem_type(const Tensor& t);

Tensor empty_optional();
bool is_empty_optional(const Tensor& t);

}  // namespace onnxgen
