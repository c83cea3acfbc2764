#pragma once
// Bfloat16 weights for a float32 model (opt-in, EngineOptions::weight_dtype "bf16"): every MatMul
// whose B is a float32 [K, N] initializer becomes com.onnxgen MatMulBf16Weights, which reads B
// cast to bfloat16, and so does a Gemm over one (its bias, if any, then an Add; not with a
// transposed A, alpha or beta other than 1). Decoding streams the weights once a token, so
// halving their bytes nearly doubles its speed; prompts run bf16 GEMMs. The price is bfloat16's
// 8-bit mantissa in the weights and in A, so outputs differ from float32 in the low bits: logits move,
// and greedy picks may too where two tokens are near. Initializers a caller may override (also
// graph inputs) keep their MatMul. A Gather of a cast weight's columns (an embedding tied to the
// output projection, as TiedEmbeddingGather leaves it) becomes com.onnxgen GatherColumnsBf16,
// which reads the same copy.
#include "runtime/graph/graph_pass.h"

namespace onnxgen {

class Bf16WeightsPass : public GraphPass {
 public:
  std::string name() const override { return "bf16_weights"; }
  bool run(Model& model) override;
};

}  // namespace onnxgen
