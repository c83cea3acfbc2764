// ArgMax and ArgMin: the index of the first (or, with select_last_index, last) extreme value
// along one axis, as int64.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/reduce_axes.h"

namespace onnxgen {
namespace {

template <bool kMax>
class ArgReduce : public OpKernel {
 public:
  explicit ArgReduce(const KernelInit& init)
      : axis_(init.attrs().get_int("axis", 0)),
        keepdims_(init.attrs().get_int("keepdims", 1) != 0),
        select_last_(init.attrs().get_int("select_last_index", 0) != 0) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.rank() >= 1, "input must have rank >= 1, got ", x.describe());
    const int64_t axis = normalize_axis(axis_, static_cast<int64_t>(x.rank()));
    const AxisSplit s = split_at_axis(x.shape(), axis);
    std::vector<bool> mask(x.rank(), false);
    mask[static_cast<size_t>(axis)] = true;
    Tensor& y = ctx.allocate(0, DataType::kInt64, reduced_shape(x.shape(), mask, keepdims_));
    if (y.numel() == 0) return;
    ONNXGEN_CHECK(s.extent > 0, "cannot take the ", kMax ? "ArgMax" : "ArgMin", " of an empty axis of ", x.describe());
    dispatch_numeric(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* src = x.data<T>();
      int64_t* dst = y.data<int64_t>();
      // Ties keep the first index unless select_last_index asks for the last.
      auto wins = [this](C v, C best) { return kMax ? (select_last_ ? v >= best : v > best) : (select_last_ ? v <= best : v < best); };
      ctx.pool().parallel_for(s.outer * s.inner, std::max<int64_t>(1, 16384 / s.extent), [&](int64_t b, int64_t e) {
        for (int64_t line = b; line < e; ++line) {
          const T* p = src + (line / s.inner) * s.extent * s.inner + line % s.inner;
          C best = static_cast<C>(p[0]);
          int64_t at = 0;
          for (int64_t i = 1; i < s.extent; ++i) {
            const C v = static_cast<C>(p[i * s.inner]);
            if (wins(v, best)) {
              best = v;
              at = i;
            }
          }
          dst[line] = at;
        }
      });
    });
  }

 private:
  int64_t axis_;
  bool keepdims_;
  bool select_last_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "ArgMax", 1, ONNXGEN_LATEST, ArgReduce<true>);
ONNXGEN_REGISTER_KERNEL("", "ArgMin", 1, ONNXGEN_LATEST, ArgReduce<false>);

}  // namespace onnxgen
