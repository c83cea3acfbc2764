// Where(condition, X, Y) with three-way broadcasting. Elements are only selected, never
// computed, so the loops run on same-size storage types: five instantiations cover every dtype.
#include <string>

#include "runtime/core/simd.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/broadcast.h"
#include "runtime/ops/cpu/elementwise.h"
#include "runtime/ops/where_inputs.h"

namespace onnxgen {
namespace {

// Strides are template parameters (each 0 or 1) so every combination gets a tight loop.
template <class S, int kC, int kX, int kY>
ONNXGEN_SIMD_CLONES void select_loop(const uint8_t* c, const S* x, const S* y, S* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_integral_v<S>) {
      // A bit mask rather than ?: lets GCC vectorise the select across element widths.
      const S mask = static_cast<S>(S{0} - static_cast<S>(c[i * kC] != 0));
      out[i] = static_cast<S>((x[i * kX] & mask) | (y[i * kY] & static_cast<S>(~mask)));
    } else {
      out[i] = c[i * kC] ? x[i * kX] : y[i * kY];
    }
  }
}

template <class S>
using SelectLoop = void (*)(const uint8_t*, const S*, const S*, S*, int64_t);

template <class S, int kC, int kX>
SelectLoop<S> pick_loop(bool y) {
  return y ? select_loop<S, kC, kX, 1> : select_loop<S, kC, kX, 0>;
}

template <class S>
SelectLoop<S> pick_loop(bool c, bool x, bool y) {
  if (c) return x ? pick_loop<S, 1, 1>(y) : pick_loop<S, 1, 0>(y);
  return x ? pick_loop<S, 0, 1>(y) : pick_loop<S, 0, 0>(y);
}

template <class S>
void where_typed(ThreadPool& pool, const Tensor& cond, const Tensor& x, const Tensor& y, Tensor& out) {
  // Read as bytes: GCC does not vectorise loads of bool. Stored bools are 0 or 1.
  const auto* pc = reinterpret_cast<const uint8_t*>(cond.data<bool>());
  const S* px = static_cast<const S*>(x.raw());
  const S* py = static_cast<const S*>(y.raw());
  S* po = static_cast<S*>(out.raw());
  const Broadcast<3> plan({&cond.shape(), &x.shape(), &y.shape()});
  const SelectLoop<S> loop = pick_loop<S>(plan.inner_contiguous(0), plan.inner_contiguous(1), plan.inner_contiguous(2));
  pool.parallel_for(plan.numel(), kCheapGrain, [&](int64_t begin, int64_t end) {
    plan.for_each_run(begin, end, [&](int64_t o, const Broadcast<3>::Offsets& at, int64_t len) {
      loop(pc + at[0], px + at[1], py + at[2], po + o, len);
    });
  });
}

class Where : public OpKernel {
 public:
  explicit Where(const KernelInit&) {}
  void compute(KernelContext& ctx) override {
    const Tensor& cond = ctx.required(0);
    const Tensor& x = ctx.required(1);
    const Tensor& y = ctx.required(2);
    check_where_inputs(cond, x, y);
    const Shape shape = broadcast_all<3>({&cond.shape(), &x.shape(), &y.shape()});
    Tensor& out = ctx.allocate(0, x.dtype(), shape);
    if (out.numel() == 0) return;
    if (x.dtype() == DataType::kString) return where_typed<std::string>(ctx.pool(), cond, x, y, out);
    switch (element_size(x.dtype())) {
      case 1: return where_typed<uint8_t>(ctx.pool(), cond, x, y, out);
      case 2: return where_typed<uint16_t>(ctx.pool(), cond, x, y, out);
      case 4: return where_typed<uint32_t>(ctx.pool(), cond, x, y, out);
      case 8: return where_typed<uint64_t>(ctx.pool(), cond, x, y, out);
      default: fail("Where does not support element type ", to_string(x.dtype()));
    }
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Where", 9, ONNXGEN_LATEST, Where);

}  // namespace onnxgen
