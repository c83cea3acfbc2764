#pragma once
// Data movement shared by the layout ops (Transpose, Slice, Expand, Tile, Split, DepthToSpace...).
// They differ only in which source element each output element reads, which a strided view
// describes, so one copy loop serves them all, and it moves elements by size, not by meaning.
#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/core/tensor.h"
#include "runtime/core/thread_pool.h"

namespace onnxgen {

// Calls f(T{}) with an unsigned integer type as wide as dtype's elements, or std::string:
// moving elements needs only their size, and this keeps one instantiation per width.
template <class F>
decltype(auto) dispatch_by_size(DataType dtype, F&& f) {
  if (dtype == DataType::kString) return f(std::string{});
  switch (is_supported(dtype) ? element_size(dtype) : 0) {
    case 1:
      return f(uint8_t{});
    case 2:
      return f(uint16_t{});
    case 4:
      return f(uint32_t{});
    case 8:
      return f(uint64_t{});
    default:
      break;
  }
  fail("unsupported element type ", to_string(dtype));
}

// Element access by width (see dispatch_by_size); Tensor::data<T>() would insist on the exact type.
template <class T>
const T* elements_of(const Tensor& t) {
  return static_cast<const T*>(t.raw());
}
template <class T>
T* mutable_elements_of(Tensor& t) {
  return static_cast<T*>(t.raw());
}

// Output element at multi-index i reads source element offset + sum(i[d] * strides[d]).
// Strides may be 0 (broadcast) or negative (reversed slices).
struct StridedView {
  Shape shape;
  Shape strides;
  int64_t offset = 0;
};

// Drops unit dims and merges dims that are contiguous with each other in the source, so the
// innermost loop is as long as possible. The element count is unchanged.
StridedView coalesce(const StridedView& view);

// Copies the view of `src` into contiguous `dst`.
template <class T>
void strided_copy(const T* src, T* dst, const StridedView& view, ThreadPool& pool) {
  if (num_elements(view.shape) == 0) return;
  const StridedView v = coalesce(view);
  if (v.shape.empty()) {
    dst[0] = src[v.offset];
    return;
  }
  const size_t r = v.shape.size();
  const int64_t inner = v.shape[r - 1];
  const int64_t inner_stride = v.strides[r - 1];
  const int64_t rows = num_elements(v.shape) / inner;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 15) / inner);
  pool.parallel_for(rows, grain, [&](int64_t begin, int64_t end) {
    Shape idx(r - 1);  // the current row's multi-index
    int64_t rem = begin, s = v.offset;
    for (size_t d = r - 1; d-- > 0;) {
      idx[d] = rem % v.shape[d];
      rem /= v.shape[d];
      s += idx[d] * v.strides[d];
    }
    for (int64_t row = begin; row < end; ++row) {
      const T* in = src + s;
      T* out = dst + row * inner;
      if (inner_stride == 1)
        std::copy(in, in + inner, out);
      else if (inner_stride == 0)
        std::fill(out, out + inner, *in);
      else
        for (int64_t j = 0; j < inner; ++j) out[j] = in[j * inner_stride];
      for (size_t d = r - 1; d-- > 0;) {
        s += v.strides[d];
        if (++idx[d] < v.shape[d]) break;
        s -= idx[d] * v.strides[d];
        idx[d] = 0;
      }
    }
  });
}

// Type-erased form: allocates nothing, copies the view of `src` into `dst` (same dtype).
void strided_copy(const Tensor& src, Tensor& dst, const StridedView& view, ThreadPool& pool);

}  // namespace onnxgen
