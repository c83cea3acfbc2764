// Softmax and LogSoftmax on CUDA over the last axis (opset 13 semantics); other axes and the
// older 2-D coercion are refused at planning, so those nodes run on the CPU.
#include "runtime/ops/cuda/cuda_kernel.h"

namespace onnxgen {
namespace {

class Softmax : public OpKernel {
 public:
  Softmax(const KernelInit& init, bool log) : log_(log), axis_(init.attrs().get_int("axis", -1)) {
    ONNXGEN_CHECK(init.opset >= 13, "Softmax before opset 13 (2-D coercion) runs on the CPU");
  }
  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const cuda::ElemType type = cuda_float_type(x, "Softmax");
    ONNXGEN_CHECK(normalize_axis(axis_, static_cast<int64_t>(x.rank())) == static_cast<int64_t>(x.rank()) - 1,
                  "Softmax on cuda normalises the last axis only, got axis ", axis_, " of ", x.describe());
    const int64_t cols = x.rank() ? x.dim(x.rank() - 1) : 1;
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    cuda::softmax(type, x.raw(), y.raw(), cols ? x.numel() / cols : 0, cols, log_, stream_of(ctx));
  }

 private:
  bool log_;
  int64_t axis_;
};

struct PlainSoftmax : Softmax {
  explicit PlainSoftmax(const KernelInit& init) : Softmax(init, false) {}
};
struct LogSoftmax : Softmax {
  explicit LogSoftmax(const KernelInit& init) : Softmax(init, true) {}
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("", "Softmax", 1, ONNXGEN_LATEST, PlainSoftmax);
ONNXGEN_REGISTER_CUDA_KERNEL("", "LogSoftmax", 1, ONNXGEN_LATEST, LogSoftmax);

}  // namespace onnxgen
