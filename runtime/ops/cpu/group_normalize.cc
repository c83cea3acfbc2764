#include "runtime/ops/cpu/group_normalize.h"

#include <algorithm>
#include <cmath>

#include "runtime/ops/cpu/channel_affine.h"
#include "runtime/ops/cpu/reduce_axes.h"

namespace onnxgen {

void group_normalize(KernelContext& ctx, const Tensor& x, const Tensor& scale, const Tensor& bias, int64_t groups,
                     bool per_group_affine, double epsilon) {
  const int64_t channels = x.dim(1), spatial = dims_product(x.shape(), 2, x.rank());
  // No channels (InstanceNormalization of [N, 0, ...]) means no groups and nothing to normalise.
  const int64_t per_group = groups ? channels / groups : 0, group_size = per_group * spatial;
  Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
  dispatch_float(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using C = compute_t<T>;
    const T* src = x.data<T>();
    T* dst = y.data<T>();
    ctx.pool().parallel_for(x.dim(0) * groups, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, group_size)),
                            [&](int64_t b, int64_t e) {
                              for (int64_t ng = b; ng < e; ++ng) {
                                double mean, var;
                                moments(src + ng * group_size, group_size, mean, var);
                                const double sd = std::sqrt(var + epsilon);
                                for (int64_t k = 0; k < per_group; ++k) {
                                  const int64_t c = (ng % groups) * per_group + k;
                                  const int64_t a = per_group_affine ? ng % groups : c;
                                  const double mul = scale.to_double(a) / sd;
                                  const int64_t off = ng * group_size + k * spatial;
                                  channel_affine(src + off, dst + off, spatial, static_cast<C>(mul),
                                                 static_cast<C>(bias.to_double(a) - mean * mul));
                                }
                              }
                            });
  });
}

}  // namespace onnxgen
