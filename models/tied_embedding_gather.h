#pragma once
// Models whose input embedding is tied to an output projection stored [hidden, vocab]
// (onnxruntime-genai's float exports) look tokens up as Gather(Transpose(W), ids). Folded as a
// constant, that Transpose would keep a second full copy of the largest weight in memory to read
// a few rows per step; this pass gathers the columns of W instead and transposes the gathered
// rows: Transpose(Gather(W, ids, axis=1)).
#include "runtime/graph/graph_pass.h"

namespace onnxgen::models {

class TiedEmbeddingGather : public GraphPass {
 public:
  std::string name() const override { return "tied_embedding_gather"; }
  bool run(Model& model) override;
};

}  // namespace onnxgen::models
