// Gemm: Y = alpha * op(A) * op(B) + beta * C, with C broadcast to [M, N]. C is copied into Y
// first so that the product accumulates onto it in one pass.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/gemm_inputs.h"
#include "runtime/ops/cpu/batched_gemm.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

class Gemm : public OpKernel, GemmAttrs {
 public:
  explicit Gemm(const KernelInit& init) : GemmAttrs(init) {}

  void compute(KernelContext& ctx) override {
    const auto [a, b, c, m, n, k] = operands(ctx);
    GemmProblem p;
    p.trans_a = trans_a_;
    p.trans_b = trans_b_;
    p.m = m;
    p.n = n;
    p.k = k;
    p.alpha = alpha_;
    p.beta = c ? beta_ : 0.0f;
    Tensor& y = ctx.allocate(0, a.dtype(), {p.m, p.n});
    if (p.beta != 0) broadcast_into(*c, y, ctx.pool());
    dispatch_numeric(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      batched_gemm_any<T>(p, a.data<T>(), b.data<T>(), y.data<T>(), ctx.pool());
    });
  }

 private:
  // C broadcasts unidirectionally to Y's [M, N].
  static void broadcast_into(const Tensor& c, Tensor& y, ThreadPool& pool) {
    StridedView view;
    view.shape = y.shape();
    view.strides = {0, 0};
    const Shape strides = strides_of(c.shape());
    for (size_t i = 0; i < c.rank(); ++i) {
      const size_t d = 2 - c.rank() + i;
      ONNXGEN_CHECK(c.dim(i) == y.dim(d) || c.dim(i) == 1, "Gemm's C ", c.describe(), " does not broadcast to ",
                    y.describe());
      view.strides[d] = c.dim(i) == 1 ? 0 : strides[i];
    }
    strided_copy(c, y, view, pool);
  }
};

}  // namespace

// Up to opset 6 a `broadcast` attribute allowed what opset 7 made the rule; broadcasting always
// covers both.
ONNXGEN_REGISTER_KERNEL("", "Gemm", 1, ONNXGEN_LATEST, Gemm);

}  // namespace onnxgen
