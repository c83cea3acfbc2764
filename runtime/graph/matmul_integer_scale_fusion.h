#pragma once
// Dynamic quantisation (onnxruntime.quantization.quantize_dynamic, Optimum's and transformers.js's
// model_quantized.onnx) leaves each int8 layer as Mul(Cast(MatMulInteger(A, B, a_zp, b_zp)), s),
// s = Mul(the DynamicQuantizeLinear scale of A, B's scale of one value or one per column). The
// three become one com.onnxgen MatMulIntegerScaled(A, B, a_zp, b_zp, s): the int32 product is
// never written to memory, and two passes over it go. Same bits as the separate ops.
// Intermediates another node or a graph output reads stay unfused.
#include "runtime/graph/graph_pass.h"

namespace onnxgen {

class MatMulIntegerScaleFusion : public GraphPass {
 public:
  std::string name() const override { return "matmul_integer_scale_fusion"; }
  bool run(Model& model) override;
};

}  // namespace onnxgen
