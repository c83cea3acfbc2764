// InstanceNormalization: each (n, c) plane of [N, C, spatial...] is standardised with its own
// mean and variance, then scaled and shifted per channel — group normalisation with one channel
// per group.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/group_normalize.h"

namespace onnxgen {
namespace {

class InstanceNormalization : public OpKernel {
 public:
  explicit InstanceNormalization(const KernelInit& init) : epsilon_(init.attrs().get_float("epsilon", 1e-5f)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& scale = ctx.required(1);
    const Tensor& bias = ctx.required(2);
    ONNXGEN_CHECK(x.rank() >= 2, "input must be [N, C, ...], got ", x.describe());
    const int64_t channels = x.dim(1);
    for (const Tensor* p : {&scale, &bias})
      ONNXGEN_CHECK(p->rank() == 1 && p->dim(0) == channels && is_float(p->dtype()), "scale and B must have ", channels,
                    " values, got ", p->describe());
    group_normalize(ctx, x, scale, bias, channels, false, epsilon_);
  }

 private:
  float epsilon_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "InstanceNormalization", 1, ONNXGEN_LATEST, InstanceNormalization);

}  // namespace onnxgen
