#pragma once
// Dead-code elimination: removes nodes none of whose outputs is read (by a live node, a live
// node's subgraph, or a graph output), then graph inputs and initializers nobody reads. Rewrites
// such as attention → PagedAttention cut whole subgraphs off the outputs and rely on this to drop them.
#include "runtime/graph/graph_pass.h"

namespace onnxgen {

// Returns whether anything was removed. Subgraph bodies are kept whole; what they capture from
// `graph` counts as read.
bool remove_dead_code(Graph& graph);

class DeadCodeElimination : public GraphPass {
 public:
  std::string name() const override { return "dead_code"; }
  bool run(Model& model) override { return remove_dead_code(*model.graph); }
};

}  // namespace onnxgen
