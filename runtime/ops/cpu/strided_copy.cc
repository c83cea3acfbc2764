#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {

StridedView coalesce(const StridedView& view) {
  StridedView out;
  out.offset = view.offset;
  for (size_t d = 0; d < view.shape.size(); ++d) {
    if (view.shape[d] == 1) continue;
    if (!out.shape.empty() && out.strides.back() == view.strides[d] * view.shape[d]) {
      out.shape.back() *= view.shape[d];
      out.strides.back() = view.strides[d];
      continue;
    }
    out.shape.push_back(view.shape[d]);
    out.strides.push_back(view.strides[d]);
  }
  return out;
}

void strided_copy(const Tensor& src, Tensor& dst, const StridedView& view, ThreadPool& pool) {
  ONNXGEN_CHECK(src.dtype() == dst.dtype(), "strided_copy from ", src.describe(), " to ", dst.describe());
  dispatch_by_size(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    strided_copy(elements_of<T>(src), mutable_elements_of<T>(dst), view, pool);
  });
}

}  // namespace onnxgen
