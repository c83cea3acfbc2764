#include "runtime/ops/cpu/mapped_weights.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>

#include "runtime/core/buffer.h"
#include "runtime/core/mapped_file.h"

namespace onnxgen {

namespace {

// The model file t's storage is mapped from, or null.
const MappedFile* mapped_file_of(const Tensor& t) {
  const auto* mapped = dynamic_cast<const OwningBuffer<std::shared_ptr<MappedFile>>*>(t.buffer().get());
  return mapped ? mapped->owner().get() : nullptr;
}

}  // namespace

bool is_mapped_initializer(const Tensor& t) { return mapped_file_of(t) != nullptr; }

void release_mapped_pages(const void* p, size_t bytes) {
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) / page * page;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

void read_tensor_bytes(const Tensor& t, const void* p, size_t bytes, void* dst) {
  const MappedFile* file = mapped_file_of(t);
  if (!file) {
    std::memcpy(dst, p, bytes);
    return;
  }
  file->read(static_cast<size_t>(static_cast<const char*>(p) - file->data()), dst, bytes);
}

}  // namespace onnxgen
