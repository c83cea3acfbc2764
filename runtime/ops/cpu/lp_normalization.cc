// LpNormalization: divides each vector along `axis` by its L1 or L2 norm.
#include <cmath>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/reduce_axes.h"

namespace onnxgen {
namespace {

class LpNormalization : public OpKernel {
 public:
  explicit LpNormalization(const KernelInit& init)
      : axis_(init.attrs().get_int("axis", -1)), p_(init.attrs().get_int("p", 2)) {
    ONNXGEN_CHECK(p_ == 1 || p_ == 2, "LpNormalization: p must be 1 or 2, got ", p_);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const AxisSplit s = split_at_axis(x.shape(), normalize_axis(axis_, static_cast<int64_t>(x.rank())));
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      ctx.pool().parallel_for(s.outer * s.inner, 256, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
          const int64_t base = (r / s.inner) * s.extent * s.inner + r % s.inner;
          double norm = 0;
          for (int64_t i = 0; i < s.extent; ++i) {
            const double v = static_cast<double>(static_cast<C>(src[base + i * s.inner]));
            norm += p_ == 1 ? std::fabs(v) : v * v;
          }
          if (p_ == 2) norm = std::sqrt(norm);
          if (norm == 0) norm = 1;  // an all-zero vector stays zero (ONNX's reference), not NaN
          for (int64_t i = 0; i < s.extent; ++i)
            dst[base + i * s.inner] = static_cast<T>(static_cast<C>(static_cast<C>(src[base + i * s.inner]) / norm));
        }
      });
    });
  }

 private:
  int64_t axis_;
  int64_t p_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "LpNormalization", 1, ONNXGEN_LATEST, LpNormalization);

}  // namespace onnxgen
