// Gemm: Y = alpha * op(A) * op(B) + beta * C, with C broadcast to [M, N]. C is copied into Y
// first so that the product accumulates onto it in one pass.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/batched_gemm.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

class Gemm : public OpKernel {
 public:
  explicit Gemm(const KernelInit& init)
      : trans_a_(init.attrs().get_int("transA", 0) != 0),
        trans_b_(init.attrs().get_int("transB", 0) != 0),
        alpha_(init.attrs().get_float("alpha", 1.0f)),
        beta_(init.attrs().get_float("beta", 1.0f)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& a = ctx.required(0);
    const Tensor& b = ctx.required(1);
    const Tensor* c = ctx.input(2);
    if (c && !c->defined()) c = nullptr;
    ONNXGEN_CHECK(a.rank() == 2 && b.rank() == 2, "Gemm takes 2-D A and B, got ", a.describe(), " and ", b.describe());
    ONNXGEN_CHECK(a.dtype() == b.dtype() && (!c || c->dtype() == a.dtype()), "Gemm operands differ in type");
    GemmProblem p;
    p.trans_a = trans_a_;
    p.trans_b = trans_b_;
    p.m = a.dim(trans_a_ ? 1 : 0);
    p.k = a.dim(trans_a_ ? 0 : 1);
    p.n = b.dim(trans_b_ ? 0 : 1);
    ONNXGEN_CHECK(b.dim(trans_b_ ? 1 : 0) == p.k, "Gemm inner dimensions differ: op(A) is [", p.m, ",", p.k,
                  "], B is ", b.describe(), trans_b_ ? " (transposed)" : "");
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
    ONNXGEN_CHECK(c.rank() <= 2, "Gemm's C must have rank <= 2, got ", c.describe());
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

  bool trans_a_, trans_b_;
  float alpha_, beta_;
};

}  // namespace

// Up to opset 6 a `broadcast` attribute allowed what opset 7 made the rule; broadcasting always
// covers both.
ONNXGEN_REGISTER_KERNEL("", "Gemm", 1, ONNXGEN_LATEST, Gemm);

}  // namespace onnxgen
