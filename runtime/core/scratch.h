#pragma once
// Working storage for kernels, kept between calls: it grows to the largest request and is then
// reused, so a steady decode step's kernels allocate nothing.
#include <cstddef>
#include <span>
#include <vector>

#include "runtime/core/thread_pool.h"

namespace onnxgen {

// `n` elements of T (contents unspecified) private to the calling thread. `Tag` names the use:
// storage of one Tag is valid until the same thread asks for that Tag again, so a kernel's outer
// code and the chunks it runs on the same thread need different Tags (declare a local struct).
template <class T, class Tag>
std::span<T> thread_scratch(size_t n) {
  thread_local std::vector<T> storage;
  if (storage.size() < n) storage.resize(n);
  return {storage.data(), n};
}

// Scratch for the chunks of one parallel_for on `pool`: `n` elements per pool thread, carved from
// the calling thread's thread_scratch. Only the caller's storage ever grows, so whether a worker
// happens to take part in a run never decides whether something is allocated.
template <class T, class Tag>
class ChunkScratch {
 public:
  ChunkScratch(const ThreadPool& pool, size_t n)
      : n_(n), threads_(static_cast<size_t>(pool.num_threads())), all_(thread_scratch<T, Tag>(n * threads_)) {}

  // The calling thread's `n` elements (a chunk run inline on another pool's worker shares a slot
  // with nobody: the whole job is on that thread).
  std::span<T> mine() const {
    return all_.subspan(static_cast<size_t>(ThreadPool::thread_index()) % threads_ * n_, n_);
  }

 private:
  size_t n_;
  size_t threads_;
  std::span<T> all_;
};

}  // namespace onnxgen
