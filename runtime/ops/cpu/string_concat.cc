// StringConcat (opset 20): elementwise concatenation of two string tensors, with broadcasting.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/broadcast.h"

namespace onnxgen {
namespace {

class StringConcat : public OpKernel {
 public:
  explicit StringConcat(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const Tensor& a = ctx.required(0);
    const Tensor& b = ctx.required(1);
    ONNXGEN_CHECK(a.dtype() == DataType::kString && b.dtype() == DataType::kString, "inputs must be strings, got ",
                  a.describe(), " and ", b.describe());
    const Broadcast<2> walk({&a.shape(), &b.shape()});
    Tensor& y = ctx.allocate(0, DataType::kString, walk.out_shape());
    const std::string* pa = a.data<std::string>();
    const std::string* pb = b.data<std::string>();
    std::string* out = y.data<std::string>();
    const int64_t step_a = walk.inner_contiguous(0), step_b = walk.inner_contiguous(1);
    walk.for_each_run(0, walk.numel(), [&](int64_t o, const Broadcast<2>::Offsets& in, int64_t n) {
      for (int64_t i = 0; i < n; ++i) out[o + i] = pa[in[0] + i * step_a] + pb[in[1] + i * step_b];
    });
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "StringConcat", 20, ONNXGEN_LATEST, StringConcat);

}  // namespace onnxgen
