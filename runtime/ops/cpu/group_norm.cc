// GroupNormalization: the channels of [N, C, spatial...] split into num_groups groups, each
// (sample, group) standardised with its own mean and variance, then scaled and shifted per
// channel (opset 21) or per group (opset 18, where scale and bias have num_groups values).
#include <cmath>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/channel_affine.h"
#include "runtime/ops/cpu/reduce_axes.h"

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
    const int64_t channels = x.dim(1), spatial = dims_product(x.shape(), 2, x.rank());
    ONNXGEN_CHECK(channels % groups_ == 0, channels, " channels do not split into ", groups_, " groups");
    const int64_t per_group = channels / groups_;
    const int64_t affine = per_group_affine_ ? groups_ : channels;
    for (const Tensor* p : {&scale, &bias})
      ONNXGEN_CHECK(p->numel() == affine && is_float(p->dtype()), "scale and bias must have ", affine,
                    " values, got ", p->describe());
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      const int64_t group_size = per_group * spatial;
      ctx.pool().parallel_for(x.dim(0) * groups_, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, group_size)),
                              [&](int64_t b, int64_t e) {
                                for (int64_t ng = b; ng < e; ++ng) {
                                  double mean, var;
                                  moments(src + ng * group_size, group_size, mean, var);
                                  const double inv = 1.0 / std::sqrt(var + epsilon_);
                                  for (int64_t k = 0; k < per_group; ++k) {
                                    const int64_t c = (ng % groups_) * per_group + k;
                                    const int64_t a = per_group_affine_ ? ng % groups_ : c;
                                    const double mul = scale.to_double(a) * inv;
                                    const int64_t off = ng * group_size + k * spatial;
                                    channel_affine(src + off, dst + off, spatial, static_cast<C>(mul),
                                                   static_cast<C>(bias.to_double(a) - mean * mul));
                                  }
                                }
                              });
    });
  }

 private:
  float epsilon_;
  int64_t groups_;
  bool per_group_affine_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "GroupNormalization", 18, ONNXGEN_LATEST, GroupNormalization);

}  // namespace onnxgen
