// Expand on CUDA: one strided copy that reads broadcast axes with stride 0. The target shape is
// read on the host.
#include "runtime/ops/cuda/cuda_kernel.h"

namespace onnxgen {
namespace {

class Expand : public OpKernel {
 public:
  explicit Expand(const KernelInit&) {}
  bool host_input(size_t i) const override { return i == 1; }
  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& shape = ctx.required(1);
    ONNXGEN_CHECK(shape.rank() == 1, "Expand: shape must be 1-D, got ", shape.describe());
    ONNXGEN_CHECK(x.dtype() != DataType::kString, "string tensors cannot be on cuda");
    const Shape out_shape = broadcast_shapes(x.shape(), shape.to_shape());
    Tensor& y = ctx.allocate(0, x.dtype(), out_shape);
    cuda::strided_copy(x.raw(), broadcast_view(x.shape(), out_shape), 0, y.raw(), dense_view(out_shape), 0,
                       static_cast<int64_t>(element_size(x.dtype())), stream_of(ctx));
  }
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("", "Expand", 8, ONNXGEN_LATEST, Expand);

}  // namespace onnxgen
