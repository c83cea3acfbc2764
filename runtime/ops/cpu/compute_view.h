#pragma once
// Kernels written once for their arithmetic type read half-precision tensors through a
// converted copy and write results back with one conversion, instead of per element.
#include <cstdint>
#include <optional>
#include <type_traits>
#include <vector>

#include "runtime/core/data_type.h"
#include "runtime/core/tensor.h"

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

// Runs fn(x, w, bias or null, y) on compute-type views of a float kernel's X, W, optional B
// and its output Y.
template <class F>
void with_compute_views(const Tensor& x, const Tensor& w, const Tensor* b, Tensor& y, F&& fn) {
  dispatch_float(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    ComputeView<T> xv(x.data<T>(), x.numel()), wv(w.data<T>(), w.numel());
    std::optional<ComputeView<T>> bv;
    if (b) bv.emplace(b->data<T>(), b->numel());
    ComputeSink<T> yv(y.data<T>(), y.numel());
    fn(xv.data(), wv.data(), bv ? bv->data() : nullptr, yv.data());
    yv.flush();
  });
}

}  // namespace onnxgen
