#pragma once
// Slicing one index out of an axis and stacking slices back along an axis: the per-iteration
// data movement of Loop and Scan.
#include <vector>

#include "runtime/core/tensor.h"

namespace onnxgen {

// t[..., index, ...] along `axis`, with that axis removed.
Tensor take_along_axis(const Tensor& t, int64_t axis, int64_t index);
// Stacks equally shaped `slices` along a new `axis` (in [0, rank]); `reverse` stacks last first.
Tensor stack_along_axis(const std::vector<Tensor>& slices, int64_t axis, bool reverse = false);

}  // namespace onnxgen
