#pragma once
// Conv fusions of vision models, as ONNX Runtime's optimizer does them: a BatchNormalization
// after a float32 Conv folds into the Conv's weights and bias, and a Relu after a Conv becomes
// com.onnxgen FusedConv with activation "Relu", which oneDNN applies as the output is written.
// Each saves a pass over the activation; intermediates must have no other reader.
#include "runtime/graph/graph_pass.h"

namespace onnxgen {

class ConvFusion : public GraphPass {
 public:
  std::string name() const override { return "conv_fusion"; }
  bool run(Model& model) override;
};

}  // namespace onnxgen
