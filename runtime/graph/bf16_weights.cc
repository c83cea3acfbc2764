#include "runtime/graph/bf16_weights.h"

#include <algorithm>
#include <unordered_set>

namespace onnxgen {

bool Bf16WeightsPass::run(Model& model) {
  Graph& graph = *model.graph;
  std::unordered_set<std::string> fed;
  for (const ValueInfo& in : graph.inputs) fed.insert(in.name);
  std::unordered_set<std::string> cast;
  for (Node& n : graph.nodes) {
    if (!n.domain.empty() || n.op_type != "MatMul" || n.inputs.size() != 2 || fed.count(n.inputs[1])) continue;
    const auto b = graph.initializers.find(n.inputs[1]);
    if (b == graph.initializers.end() || b->second.dtype() != DataType::kFloat || b->second.rank() != 2) continue;
    n.domain = "com.onnxgen";
    n.op_type = "MatMulBf16Weights";
    cast.insert(n.inputs[1]);
  }
  // A tied embedding gathers columns of an output projection cast above: from the same copy.
  for (Node& n : graph.nodes)
    if (n.domain.empty() && n.op_type == "Gather" && n.inputs.size() == 2 && cast.count(n.inputs[0]) &&
        n.attrs.get_int("axis", 0) == 1) {
      n.domain = "com.onnxgen";
      n.op_type = "GatherColumnsBf16";
      n.attrs = {};
    }
  const bool changed = !cast.empty();
  if (changed) model.opsets["com.onnxgen"] = std::max<int64_t>(model.opset("com.onnxgen"), 1);
  return changed;
}

}  // namespace onnxgen
