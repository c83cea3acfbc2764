#pragma once
// The gated MLP of Llama-family models, Mul(Mul(x, Sigmoid(x)), u) (SiLU of the gate times the
// up projection), becomes one com.onnxgen SiluMul(x, u): one pass over the activations instead of
// three, and two intermediates that are never written. Each step rounds as the separate ops do, so
// the result is the same bits. Intermediates another node or a graph output reads stay unfused.
#include "runtime/graph/graph_pass.h"

namespace onnxgen {

class SiluMulFusion : public GraphPass {
 public:
  std::string name() const override { return "silu_mul_fusion"; }
  bool run(Model& model) override;
};

}  // namespace onnxgen
