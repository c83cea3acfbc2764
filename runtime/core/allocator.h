#pragma once
#include <cstddef>
#include <memory>

#include "runtime/core/buffer.h"

namespace onnxgen {

class Allocator {
 public:
  virtual ~Allocator() = default;
  virtual std::shared_ptr<Buffer> allocate(size_t bytes) = 0;
  virtual Device device() const = 0;
};

// The process-wide CPU allocator: kCpuAlignment-aligned blocks, cached by size so the buffers of
// one decode step are reused by the next without touching malloc.
inline constexpr size_t kCpuAlignment = 64;
Allocator& cpu_allocator();

}  // namespace onnxgen
