// Where(condition, X, Y) with three-way broadcasting. Elements are only selected, never
// computed, so the loops run on same-size storage types: five instantiations cover every dtype.
#include <string>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/broadcast.h"
#include "runtime/ops/cpu/elementwise.h"

namespace onnxgen {
namespace {

template <class S>
void select_run(const bool* c, int64_t sc, const S* x, int64_t sx, const S* y, int64_t sy, S* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = c[i * sc] ? x[i * sx] : y[i * sy];
}

template <class S>
void where_typed(ThreadPool& pool, const Tensor& cond, const Tensor& x, const Tensor& y, Tensor& out) {
  const bool* pc = cond.data<bool>();
  const S* px = static_cast<const S*>(x.raw());
  const S* py = static_cast<const S*>(y.raw());
  S* po = static_cast<S*>(out.raw());
  const Broadcast<3> plan({&cond.shape(), &x.shape(), &y.shape()});
  const int64_t sc = plan.inner_contiguous(0), sx = plan.inner_contiguous(1), sy = plan.inner_contiguous(2);
  pool.parallel_for(plan.numel(), kCheapGrain, [&](int64_t begin, int64_t end) {
    plan.for_each_run(begin, end, [&](int64_t o, const Broadcast<3>::Offsets& at, int64_t len) {
      select_run(pc + at[0], sc, px + at[1], sx, py + at[2], sy, po + o, len);
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
    ONNXGEN_CHECK(cond.dtype() == DataType::kBool, "Where condition must be bool, got ", cond.describe());
    ONNXGEN_CHECK(x.dtype() == y.dtype(), "Where X ", x.describe(), " and Y ", y.describe(), " differ in element type");
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
