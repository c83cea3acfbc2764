#pragma once
// Gemm's attributes and input contract (Y = alpha * op(A) op(B) + beta * C), checked the same way
// by the CPU and CUDA kernels.
#include <cstdint>

#include "runtime/core/tensor.h"
#include "runtime/exec/kernel.h"

namespace onnxgen {

struct GemmOperands {
  const Tensor& a;
  const Tensor& b;
  const Tensor* c;  // null when omitted
  int64_t m, n, k;  // op(A) is [m, k], op(B) is [k, n]
};

// The attributes both kernels read; kernels inherit them, so their code names them as members.
struct GemmAttrs {
  explicit GemmAttrs(const KernelInit& init)
      : trans_a_(init.attrs().get_int("transA", 0) != 0),
        trans_b_(init.attrs().get_int("transB", 0) != 0),
        alpha_(init.attrs().get_float("alpha", 1.0f)),
        beta_(init.attrs().get_float("beta", 1.0f)) {}

  // 2-D A and B of one type with matching inner dimensions; C, if given, of that type and rank <= 2.
  GemmOperands operands(const KernelContext& ctx) const {
    const Tensor& a = ctx.required(0);
    const Tensor& b = ctx.required(1);
    const Tensor* c = ctx.input(2);
    if (c && !c->defined()) c = nullptr;
    ONNXGEN_CHECK(a.rank() == 2 && b.rank() == 2, "Gemm takes 2-D A and B, got ", a.describe(), " and ", b.describe());
    ONNXGEN_CHECK(a.dtype() == b.dtype() && (!c || c->dtype() == a.dtype()), "Gemm operands differ in type");
    if (c) ONNXGEN_CHECK(c->rank() <= 2, "Gemm's C must have rank <= 2, got ", c->describe());
    const int64_t m = a.dim(trans_a_ ? 1 : 0), k = a.dim(trans_a_ ? 0 : 1), n = b.dim(trans_b_ ? 0 : 1);
    ONNXGEN_CHECK(b.dim(trans_b_ ? 1 : 0) == k, "Gemm inner dimensions differ: op(A) is [", m, ",", k, "], B is ",
                  b.describe(), trans_b_ ? " (transposed)" : "");
    return {a, b, c, m, n, k};
  }

  bool trans_a_, trans_b_;
  float alpha_, beta_;
};

}  // namespace onnxgen
