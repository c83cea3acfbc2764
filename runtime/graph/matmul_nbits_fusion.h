#pragma once
// Sibling MatMulNBits that read the same input with 4-bit weights and int8 compute (a layer's q,
// k and v projections; its gate and up) become one com.onnxgen FusedMatMulNBits, which packs
// their weights as one matrix: one quantisation of the input and one pass of the thread pool a
// step instead of one each. Each output keeps its name and its values (same bits).
//
// Only nodes with no zero points, g_idx or bias, whose weights and float32 scales are
// initializers, with N a multiple of 16 in all but the last of a group, are taken; the fused
// kernel runs on CPUs with AVX2, so the session applies the pass on those alone.
#include "runtime/graph/graph_pass.h"

namespace onnxgen {

class MatMulNBitsFusion : public GraphPass {
 public:
  std::string name() const override { return "matmul_nbits_fusion"; }
  bool run(Model& model) override;
};

}  // namespace onnxgen
