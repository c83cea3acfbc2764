// CumSum and CumProd (opset 26) along one axis, optionally exclusive (each output omits its own
// element) and/or reversed (accumulating from the end).
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/reduce_axes.h"

namespace onnxgen {
namespace {

struct Sum {
  template <class C>
  static constexpr C kIdentity = C(0);
  template <class C>
  static void combine(C& acc, C v) { acc += v; }
};

struct Product {
  template <class C>
  static constexpr C kIdentity = C(1);
  template <class C>
  static void combine(C& acc, C v) { acc *= v; }
};

template <class Op>
class Cumulative : public OpKernel {
 public:
  explicit Cumulative(const KernelInit& init)
      : exclusive_(init.attrs().get_int("exclusive", 0) != 0), reverse_(init.attrs().get_int("reverse", 0) != 0) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& axis_t = ctx.required(1);
    ONNXGEN_CHECK(is_integer(axis_t.dtype()) && axis_t.numel() == 1 && axis_t.rank() <= 1,
                  "axis must be a single integer, got ", axis_t.describe());
    ONNXGEN_CHECK(x.rank() >= 1, "input must have rank >= 1, got ", x.describe());
    const AxisSplit s = split_at_axis(x.shape(), normalize_axis(axis_t.to_int64(0), static_cast<int64_t>(x.rank())));
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    dispatch_numeric(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      // Running totals of one [extent, inner] slab advance a whole inner row at a time.
      ctx.pool().parallel_for(s.outer, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, s.extent * s.inner)),
                              [&](int64_t b, int64_t e) {
                                std::vector<C> acc(static_cast<size_t>(s.inner));
                                for (int64_t o = b; o < e; ++o) {
                                  std::fill(acc.begin(), acc.end(), Op::template kIdentity<C>);
                                  for (int64_t step = 0; step < s.extent; ++step) {
                                    const int64_t i = reverse_ ? s.extent - 1 - step : step;
                                    const int64_t base = (o * s.extent + i) * s.inner;
                                    for (int64_t j = 0; j < s.inner; ++j) {
                                      C& a = acc[static_cast<size_t>(j)];
                                      const C v = static_cast<C>(src[base + j]);
                                      if (exclusive_) {
                                        dst[base + j] = static_cast<T>(a);
                                        Op::combine(a, v);
                                      } else {
                                        Op::combine(a, v);
                                        dst[base + j] = static_cast<T>(a);
                                      }
                                    }
                                  }
                                }
                              });
    });
  }

 private:
  bool exclusive_;
  bool reverse_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "CumSum", 11, ONNXGEN_LATEST, Cumulative<Sum>);
ONNXGEN_REGISTER_KERNEL("", "CumProd", 26, ONNXGEN_LATEST, Cumulative<Product>);

}  // namespace onnxgen
