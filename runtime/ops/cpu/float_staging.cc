#include "runtime/ops/cpu/float_staging.h"

#include <algorithm>

#include "runtime/ops/cpu/type_dispatch.h"

namespace onnxgen {

Tensor to_float32(const Tensor& t, Allocator& allocator) {
  if (t.dtype() == DataType::kFloat) return t;
  Tensor out = Tensor::empty(DataType::kFloat, t.shape(), allocator);
  load_float32(t, 0, t.numel(), out.data<float>());
  return out;
}

void store_float32(const float* src, int64_t n, const Tensor& dst, int64_t offset) {
  ONNXGEN_CHECK(offset >= 0 && offset + n <= dst.numel(), "store_float32: ", n, " values at ", offset, " overrun ",
                dst.describe());
  dispatch_group<TypeGroup::kFloat>(dst.dtype(), "float staging", [&](auto tag) {
    using T = decltype(tag);
    T* out = dst.data<T>() + offset;
    for (int64_t i = 0; i < n; ++i) out[i] = to_storage<T>(src[i]);
  });
}

void load_float32(const Tensor& src, int64_t offset, int64_t n, float* dst) {
  ONNXGEN_CHECK(offset >= 0 && offset + n <= src.numel(), "load_float32: ", n, " values at ", offset, " overrun ",
                src.describe());
  load_float32(src.dtype(), static_cast<const char*>(src.raw()) + static_cast<size_t>(offset) * element_size(src.dtype()),
               n, dst);
}

void load_float32(DataType dtype, const void* src, int64_t n, float* dst) {
  dispatch_group<TypeGroup::kFloat>(dtype, "float staging", [&](auto tag) {
    using T = decltype(tag);
    const T* in = static_cast<const T*>(src);
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<float>(in[i]);
  });
}

Tensor float_workspace(const Tensor& out) {
  return out.dtype() == DataType::kFloat ? out : Tensor::empty(DataType::kFloat, out.shape());
}

void finish_float_output(const Tensor& work, const Tensor& out) {
  if (work.raw() != out.raw()) store_float32(work.data<float>(), work.numel(), out);
}

void set_float_output(KernelContext& ctx, size_t i, const Tensor& value, DataType dtype) {
  if (!ctx.output_wanted(i)) return;
  if (dtype == DataType::kFloat) {
    ctx.set_output(i, value);
    return;
  }
  store_float32(value.data<float>(), value.numel(), ctx.allocate(i, dtype, value.shape()));
}

}  // namespace onnxgen
