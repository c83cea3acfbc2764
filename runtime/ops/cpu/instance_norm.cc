// InstanceNormalization: each (n, c) plane of [N, C, spatial...] is standardised with its own
// mean and variance, then scaled and shifted per channel.
#include <cmath>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/channel_affine.h"
#include "runtime/ops/cpu/reduce_axes.h"

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
    const int64_t channels = x.dim(1), spatial = dims_product(x.shape(), 2, x.rank());
    for (const Tensor* p : {&scale, &bias})
      ONNXGEN_CHECK(p->rank() == 1 && p->dim(0) == channels && is_float(p->dtype()), "scale and B must have ", channels,
                    " values, got ", p->describe());
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      ctx.pool().parallel_for(x.dim(0) * channels, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, spatial)),
                              [&](int64_t b, int64_t e) {
                                for (int64_t nc = b; nc < e; ++nc) {
                                  double mean, var;
                                  moments(src + nc * spatial, spatial, mean, var);
                                  const int64_t c = nc % channels;
                                  const double mul = scale.to_double(c) / std::sqrt(var + epsilon_);
                                  channel_affine(src + nc * spatial, dst + nc * spatial, spatial, static_cast<C>(mul),
                                                 static_cast<C>(bias.to_double(c) - mean * mul));
                                }
                              });
    });
  }

 private:
  float epsilon_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "InstanceNormalization", 1, ONNXGEN_LATEST, InstanceNormalization);

}  // namespace onnxgen
