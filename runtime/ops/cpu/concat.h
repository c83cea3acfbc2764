#pragma once
// Concatenation along an existing axis, shared by Concat and ConcatFromSequence.
#include <span>

#include "runtime/core/allocator.h"
#include "runtime/core/tensor.h"
#include "runtime/core/thread_pool.h"

namespace onnxgen {

// `axis` may be negative; the inputs agree in dtype, rank and every other dimension.
Tensor concat_tensors(std::span<const Tensor* const> inputs, int64_t axis, ThreadPool& pool, Allocator& allocator);

}  // namespace onnxgen
