#include "runtime/ops/cuda/cuda_kernel.h"

namespace onnxgen {

namespace cuda {
void check_launch(const char* what) { cuda_check(cudaGetLastError(), what); }
}  // namespace cuda

cuda::ElemType cuda_elem_type(const Tensor& t, const char* what) {
  switch (t.dtype()) {
    case DataType::kFloat: return cuda::ElemType::kF32;
    case DataType::kFloat16: return cuda::ElemType::kF16;
    case DataType::kBFloat16: return cuda::ElemType::kBF16;
    case DataType::kInt32: return cuda::ElemType::kI32;
    case DataType::kInt64: return cuda::ElemType::kI64;
    case DataType::kBool: return cuda::ElemType::kBool;
    default: fail(what, " on cuda does not support ", t.describe());
  }
}

cuda::ElemType cuda_float_type(const Tensor& t, const char* what) {
  cuda::ElemType e = cuda_elem_type(t, what);
  ONNXGEN_CHECK(e == cuda::ElemType::kF32 || e == cuda::ElemType::kF16 || e == cuda::ElemType::kBF16, what,
                " on cuda needs float32, float16 or bfloat16, got ", t.describe());
  return e;
}

cuda::StridedDims dense_view(const Shape& shape) {
  ONNXGEN_CHECK(shape.size() <= cuda::kMaxDims, "cuda kernels take at most ", cuda::kMaxDims, " dims, got ",
                to_string(shape));
  cuda::StridedDims v;
  v.rank = static_cast<int>(shape.size());
  const Shape strides = strides_of(shape);
  for (size_t d = 0; d < shape.size(); ++d) {
    v.dims[d] = shape[d];
    v.strides[d] = strides[d];
  }
  return v;
}

cuda::StridedDims broadcast_view(const Shape& t_shape, const Shape& out_shape) {
  cuda::StridedDims v = dense_view(out_shape);
  const Shape strides = strides_of(t_shape);
  const size_t lead = out_shape.size() - t_shape.size();
  for (size_t d = 0; d < out_shape.size(); ++d)
    v.strides[d] = d < lead || t_shape[d - lead] == 1 ? 0 : strides[d - lead];
  return v;
}

}  // namespace onnxgen
