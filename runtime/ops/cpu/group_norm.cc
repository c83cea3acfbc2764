// GroupNormalization: the channels of [N, C, spatial...] split into num_groups groups, each
// (sample, group) standardised with its own mean and variance, then scaled and shifted per
// channel (opset 21) or per group (opset 18, where scale and bias have num_groups values).
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/group_normalize.h"

namespace onnxgen {
namespace {

class GroupNormalization : public OpKernel {
 public:
  explicit GroupNormalization(const KernelInit& init)
      : epsilon_(init.attrs().get_float("epsilon", 1e-5f)),
        groups_(init.attrs().get_int("num_groups")),
        per_group_affine_(init.opset < 21) {
    ONNXGEN_CHECK(groups_ > 0, "num_groups must be positive, got ", groups_);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& scale = ctx.required(1);
    const Tensor& bias = ctx.required(2);
    ONNXGEN_CHECK(x.rank() >= 2, "input must be [N, C, ...], got ", x.describe());
    const int64_t channels = x.dim(1);
    ONNXGEN_CHECK(channels % groups_ == 0, channels, " channels do not split into ", groups_, " groups");
    const int64_t affine = per_group_affine_ ? groups_ : channels;
    for (const Tensor* p : {&scale, &bias})
      ONNXGEN_CHECK(p->numel() == affine && is_float(p->dtype()), "scale and bias must have ", affine,
                    " values, got ", p->describe());
    group_normalize(ctx, x, scale, bias, groups_, per_group_affine_, epsilon_);
  }

 private:
  float epsilon_;
  int64_t groups_;
  bool per_group_affine_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "GroupNormalization", 18, ONNXGEN_LATEST, GroupNormalization);

}  // namespace onnxgen
