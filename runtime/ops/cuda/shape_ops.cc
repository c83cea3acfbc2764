// Ops that only reinterpret a tensor's shape run on CUDA without touching its data: the
// device-neutral kernels of ops/view_ops.h, and Identity.
#include "runtime/ops/cuda/cuda_kernel.h"
#include "runtime/ops/view_ops.h"

namespace onnxgen {
namespace {

class Identity : public OpKernel {
 public:
  explicit Identity(const KernelInit&) {}
  void compute(KernelContext& ctx) override { ctx.set_output(0, ctx.required(0)); }
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("", "Shape", 1, ONNXGEN_LATEST, view_ops::ShapeOp);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Reshape", 1, ONNXGEN_LATEST, view_ops::Reshape);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Squeeze", 1, ONNXGEN_LATEST, view_ops::Squeeze);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Unsqueeze", 1, ONNXGEN_LATEST, view_ops::Unsqueeze);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Flatten", 1, ONNXGEN_LATEST, view_ops::Flatten);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Identity", 1, ONNXGEN_LATEST, Identity);

}  // namespace onnxgen
