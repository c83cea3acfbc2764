#pragma once
// The bfloat16 copy of a float32 [K, N] initializer that --weight-dtype bf16 reads in its place,
// stored transposed, [N][K] (a Gemm's weights given as [N, K] are cast as they lie): decode
// products then meet each output's weights contiguous, and row j is column j of the original (a
// tied embedding's row for token j). Made once per initializer, at the first run of a kernel that
// reads it, and shared by every kernel that does (an output projection's MatMulBf16Weights and the
// embedding's GatherColumnsBf16); the model file's pages it came from are handed back as it is
// made, so the float32 original stops counting in memory.
#include <cstdint>
#include <memory>
#include <mutex>

#include "runtime/core/half.h"
#include "runtime/core/tensor.h"
#include "runtime/core/thread_pool.h"

namespace onnxgen {

class Bf16WeightCopy {
 public:
  // The copy of `w`, a float32 [K, N] initializer ([N, K] when `n_by_k`), made now unless a
  // kernel holds one already.
  static std::shared_ptr<const Bf16WeightCopy> of(ThreadPool& pool, const Tensor& w, bool n_by_k = false);

  const BFloat16* data() const { return data_.get(); }
  const float* source() const { return source_; }
  bool n_by_k() const { return n_by_k_; }
  int64_t k() const { return k_; }
  int64_t n() const { return n_; }

  Bf16WeightCopy(ThreadPool& pool, const Tensor& w, bool n_by_k);

 private:
  std::unique_ptr<BFloat16[], void (*)(void*)> data_{nullptr, nullptr};
  const float* source_;
  int64_t k_, n_;
  bool n_by_k_;
};

// The copy a kernel keeps of its weight input: the shared one for `w`, looked up on the first run
// (and again should the kernel be handed another tensor), under a lock for concurrent runs.
class Bf16WeightInput {
 public:
  const Bf16WeightCopy& get(ThreadPool& pool, const Tensor& w, bool n_by_k = false);

 private:
  std::mutex mu_;
  std::shared_ptr<const Bf16WeightCopy> copy_;
};

}  // namespace onnxgen
