// Gather on CUDA (embedding lookups): whole rows after the axis move as bytes.
#include "runtime/ops/cuda/cuda_kernel.h"

namespace onnxgen {
namespace {

class Gather : public OpKernel {
 public:
  explicit Gather(const KernelInit& init) : axis_(init.attrs().get_int("axis", 0)) {}
  void compute(KernelContext& ctx) override {
    const Tensor& data = ctx.required(0);
    const Tensor& indices = ctx.required(1);
    ONNXGEN_CHECK(indices.dtype() == DataType::kInt64 || indices.dtype() == DataType::kInt32,
                  "Gather indices must be int32 or int64, got ", indices.describe());
    ONNXGEN_CHECK(data.dtype() != DataType::kString, "Gather on cuda does not support strings");
    const int64_t axis = normalize_axis(axis_, static_cast<int64_t>(data.rank()));
    Shape out_shape(data.shape().begin(), data.shape().begin() + axis);
    out_shape.insert(out_shape.end(), indices.shape().begin(), indices.shape().end());
    out_shape.insert(out_shape.end(), data.shape().begin() + axis + 1, data.shape().end());
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= data.dim(d);
    for (size_t d = axis + 1; d < data.rank(); ++d) inner *= data.dim(d);
    Tensor& y = ctx.allocate(0, data.dtype(), out_shape);
    cuda::gather(data.raw(), outer, data.dim(axis), inner * static_cast<int64_t>(element_size(data.dtype())),
                 indices.raw(), indices.dtype() == DataType::kInt64, indices.numel(), y.raw(), stream_of(ctx));
  }

 private:
  int64_t axis_;
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("", "Gather", 1, ONNXGEN_LATEST, Gather);

}  // namespace onnxgen
