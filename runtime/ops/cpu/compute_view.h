#pragma once
// Kernels written once for their arithmetic type read half-precision tensors through a
// converted copy and write results back with one conversion, instead of per element.
#include <cstdint>
#include <type_traits>
#include <vector>

#include "runtime/core/data_type.h"

namespace onnxgen {

// n elements of T seen as compute_t<T>: the data itself when no conversion is needed.
template <class T>
class ComputeView {
 public:
  using C = compute_t<T>;
  ComputeView(const T* data, int64_t n) {
    if constexpr (std::is_same_v<T, C>) {
      ptr_ = data;
    } else {
      copy_.assign(data, data + n);
      ptr_ = copy_.data();
    }
  }
  const C* data() const { return ptr_; }

 private:
  const C* ptr_ = nullptr;
  std::vector<C> copy_;
};

// Where a kernel writes its compute_t<T> results before they land in the T output.
template <class T>
class ComputeSink {
 public:
  using C = compute_t<T>;
  ComputeSink(T* out, int64_t n) : out_(out), n_(n) {
    if constexpr (!std::is_same_v<T, C>) scratch_.resize(static_cast<size_t>(n));
  }
  C* data() {
    if constexpr (std::is_same_v<T, C>) return out_;
    else return scratch_.data();
  }
  // Converts the results into the output; a no-op when they were written in place.
  void flush() {
    if constexpr (!std::is_same_v<T, C>)
      for (int64_t i = 0; i < n_; ++i) out_[i] = T(scratch_[static_cast<size_t>(i)]);
  }

 private:
  T* out_;
  int64_t n_;
  std::vector<C> scratch_;
};

}  // namespace onnxgen
