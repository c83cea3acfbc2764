#pragma once
// Weights repacked at first use for a kernel: an initializer mapped from the model file is
// constant for the session, so a kernel may keep its own layout of it, and hand the file's pages
// back once they are packed so the two copies are not both resident.
#include <cstddef>

#include "runtime/core/tensor.h"

namespace onnxgen {

// Whether t is a view of a read-only model file mapping (an external-data initializer).
bool is_mapped_initializer(const Tensor& t);

// Drops the whole pages inside [p, p + bytes) of a read-only file mapping from this process; a
// later read faults them in again from the file.
void release_mapped_pages(const void* p, size_t bytes);

// Copies [p, p + bytes), which lies in t, into dst: through the model file when t is mapped from
// it, so that reading a few rows of a large table maps none of its pages into the process.
void read_tensor_bytes(const Tensor& t, const void* p, size_t bytes, void* dst);

}  // namespace onnxgen
