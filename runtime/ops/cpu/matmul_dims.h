#pragma once
// numpy.matmul's shape rules (1-D operands promoted and their axis dropped again, batch dims
// broadcast) as a GemmProblem, shared by MatMul, MatMulInteger and QLinearMatMul.
#include "runtime/core/error.h"
#include "runtime/ops/cpu/batched_gemm.h"

namespace onnxgen {

struct MatMulDims {
  GemmProblem problem;
  Shape out_shape;
};

inline MatMulDims matmul_dims(const Shape& a, const Shape& b) {
  ONNXGEN_CHECK(!a.empty() && !b.empty(), "MatMul operands must have rank >= 1, got ", to_string(a), " and ",
                to_string(b));
  const Shape a2 = a.size() == 1 ? Shape{1, a[0]} : a;
  const Shape b2 = b.size() == 1 ? Shape{b[0], 1} : b;
  MatMulDims d;
  GemmProblem& p = d.problem;
  p.m = a2[a2.size() - 2];
  p.k = a2[a2.size() - 1];
  p.n = b2[b2.size() - 1];
  ONNXGEN_CHECK(b2[b2.size() - 2] == p.k, "MatMul inner dimensions differ: ", to_string(a), " x ", to_string(b));
  const size_t rank = std::max(a2.size(), b2.size()) - 2;
  p.batch_a = Shape(rank - (a2.size() - 2), 1);
  p.batch_a.insert(p.batch_a.end(), a2.begin(), a2.end() - 2);
  p.batch_b = Shape(rank - (b2.size() - 2), 1);
  p.batch_b.insert(p.batch_b.end(), b2.begin(), b2.end() - 2);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t x = p.batch_a[i], y = p.batch_b[i];
    ONNXGEN_CHECK(x == y || x == 1 || y == 1, "MatMul batch dimensions don't broadcast: ", to_string(a), " x ",
                  to_string(b));
    p.batch_c.push_back(x == 1 ? y : x);
  }
  d.out_shape = p.batch_c;
  if (a.size() > 1) d.out_shape.push_back(p.m);
  if (b.size() > 1) d.out_shape.push_back(p.n);
  // A shared right-hand matrix: A's batch folds into its rows, one large product instead of many.
  if (num_elements(p.batch_b) == 1 && rank > 0) {
    p.m *= num_elements(p.batch_a);
    p.batch_a.clear();
    p.batch_b.clear();
    p.batch_c.clear();
  }
  return d;
}

}  // namespace onnxgen
