#include "runtime/graph/bf16_weights.h"

#include <algorithm>
#include <unordered_set>

namespace onnxgen {

bool Bf16WeightsPass::run(Model& model) {
  Graph& graph = *model.graph;
  std::unordered_set<std::string> fed;
  for (const ValueInfo& in : graph.inputs) fed.insert(in.name);
  bool changed = false;
  for (Node& n : graph.nodes) {
    if (!n.domain.empty() || n.op_type != "MatMul" || n.inputs.size() != 2 || fed.count(n.inputs[1])) continue;
    const auto b = graph.initializers.find(n.inputs[1]);
    if (b == graph.initializers.end() || b->second.dtype() != DataType::kFloat || b->second.rank() != 2) continue;
    n.domain = "com.onnxgen";
    n.op_type = "MatMulBf16Weights";
    changed = true;
  }
  if (changed) model.opsets["com.onnxgen"] = std::max<int64_t>(model.opset("com.onnxgen"), 1);
  return changed;
}

}  // namespace onnxgen
