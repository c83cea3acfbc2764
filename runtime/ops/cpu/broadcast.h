#pragma once
// N-ary numpy broadcasting as a walk over the output in contiguous inner runs. Dimensions are
// collapsed first (size-1 output dims dropped, neighbours that every input treats alike merged),
// so in each run every input is either contiguous (stride 1) or a repeated scalar (stride 0),
// and a kernel's inner loop is a tight loop it can specialise on those two cases.
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "runtime/core/error.h"
#include "runtime/core/shape.h"

namespace onnxgen {

// Shape of broadcasting all of `shapes` together; throws naming the shapes that clash.
template <size_t N>
Shape broadcast_all(const std::array<const Shape*, N>& shapes) {
  Shape out = *shapes[0];
  for (size_t k = 1; k < N; ++k) out = broadcast_shapes(out, *shapes[k]);
  return out;
}

template <size_t N>
class Broadcast {
 public:
  using Offsets = std::array<int64_t, N>;

  explicit Broadcast(const std::array<const Shape*, N>& shapes) : out_shape_(broadcast_all(shapes)) {
    const size_t rank = out_shape_.size();
    numel_ = num_elements(out_shape_);
    // Per kept dim: output size and, per input, whether the input spans it (else it repeats).
    std::vector<int64_t> sizes;
    std::vector<std::array<bool, N>> spans;
    for (size_t d = 0; d < rank; ++d) {
      if (out_shape_[d] == 1) continue;
      std::array<bool, N> s{};
      for (size_t k = 0; k < N; ++k) {
        const Shape& in = *shapes[k];
        const size_t lead = rank - in.size();
        s[k] = d >= lead && in[d - lead] != 1;
      }
      if (!sizes.empty() && spans.back() == s) {
        sizes.back() *= out_shape_[d];
      } else {
        sizes.push_back(out_shape_[d]);
        spans.push_back(s);
      }
    }
    if (sizes.empty()) {
      sizes.push_back(1);
      spans.push_back(std::array<bool, N>{});
    }
    dims_ = sizes;
    strides_.resize(dims_.size());
    Offsets running;
    running.fill(1);
    for (size_t d = dims_.size(); d-- > 0;)
      for (size_t k = 0; k < N; ++k) {
        strides_[d][k] = spans[d][k] ? running[k] : 0;
        if (spans[d][k]) running[k] *= dims_[d];
      }
    for (size_t k = 0; k < N; ++k) inner_contiguous_[k] = spans.back()[k];
  }

  const Shape& out_shape() const { return out_shape_; }
  int64_t numel() const { return numel_; }
  // Length of the innermost collapsed dimension: the longest run for_each_run can produce.
  int64_t inner() const { return dims_.back(); }
  // Whether input k advances by one element per output element within a run (else stays put).
  bool inner_contiguous(size_t k) const { return inner_contiguous_[k]; }

  // Calls f(out_offset, input_offsets, length) for the runs covering output elements
  // [begin, end), in order.
  template <class F>
  void for_each_run(int64_t begin, int64_t end, F&& f) const {
    if (begin >= end) return;
    const size_t outer_rank = dims_.size() - 1;
    const int64_t inner = dims_.back();
    std::vector<int64_t> index(outer_rank);
    Offsets base{};
    int64_t outer = begin / inner;
    for (size_t d = outer_rank; d-- > 0;) {
      index[d] = outer % dims_[d];
      outer /= dims_[d];
      for (size_t k = 0; k < N; ++k) base[k] += index[d] * strides_[d][k];
    }
    int64_t pos = begin;
    int64_t col = begin % inner;
    while (pos < end) {
      const int64_t len = std::min(inner - col, end - pos);
      Offsets at;
      for (size_t k = 0; k < N; ++k) at[k] = base[k] + (inner_contiguous_[k] ? col : 0);
      f(pos, at, len);
      pos += len;
      col = 0;
      for (size_t d = outer_rank; d-- > 0;) {
        for (size_t k = 0; k < N; ++k) base[k] += strides_[d][k];
        if (++index[d] < dims_[d]) break;
        for (size_t k = 0; k < N; ++k) base[k] -= strides_[d][k] * dims_[d];
        index[d] = 0;
      }
    }
  }

 private:
  Shape out_shape_;
  int64_t numel_ = 0;
  std::vector<int64_t> dims_;     // collapsed output dims, outermost first
  std::vector<Offsets> strides_;  // per collapsed dim, each input's stride in elements (0: repeats)
  std::array<bool, N> inner_contiguous_{};
};

}  // namespace onnxgen
