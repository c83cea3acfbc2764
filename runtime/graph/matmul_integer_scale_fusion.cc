#include "runtime/graph/matmul_integer_scale_fusion.h"

namespace onnxgen {
namespace {

constexpr int64_t kFloatType = 1;  // TensorProto.FLOAT

bool is_default(const Node& n, const char* op) {
  return n.domain.empty() && n.op_type == op && n.outputs.size() >= 1 && !n.outputs[0].empty();
}

}  // namespace

bool MatMulIntegerScaleFusion::run(Model& model) {
  Graph& graph = *model.graph;
  const auto producer = producers(graph);
  const auto readers = reader_counts(graph);
  const auto only_reader = [&](const std::string& value) {
    const auto r = readers.find(value);
    return r != readers.end() && r->second == 1;
  };
  const auto produced_by = [&](const std::string& value, const char* op) -> const Node* {
    const auto p = producer.find(value);
    return p != producer.end() && is_default(graph.nodes[p->second], op) ? &graph.nodes[p->second] : nullptr;
  };
  // s = Mul(DynamicQuantizeLinear's scale, an initializer of one value or `columns` values).
  const auto is_layer_scale = [&](const std::string& s, int64_t columns) {
    const Node* mul = produced_by(s, "Mul");
    if (!mul || mul->inputs.size() != 2) return false;
    for (size_t i = 0; i < 2; ++i) {
      const Node* dql = produced_by(mul->inputs[i], "DynamicQuantizeLinear");
      const auto w = graph.initializers.find(mul->inputs[1 - i]);
      if (dql && dql->outputs.size() >= 2 && dql->outputs[1] == mul->inputs[i] && w != graph.initializers.end() &&
          w->second.dtype() == DataType::kFloat && w->second.rank() <= 1 &&
          (w->second.numel() == 1 || w->second.numel() == columns))
        return true;
    }
    return false;
  };
  std::vector<bool> erased(graph.nodes.size(), false);
  bool changed = false;
  for (Node& outer : graph.nodes) {
    if (!is_default(outer, "Mul") || outer.inputs.size() != 2 || outer.outputs.size() != 1) continue;
    for (size_t i = 0; i < 2; ++i) {
      const Node* cast = produced_by(outer.inputs[i], "Cast");
      if (!cast || !only_reader(outer.inputs[i]) || cast->attrs.get_int("to", 0) != kFloatType) continue;
      const Node* matmul = produced_by(cast->inputs[0], "MatMulInteger");
      if (!matmul || !only_reader(cast->inputs[0]) || matmul->inputs.size() < 2) continue;
      // B an initializer [K, N], so that the scale's length can be checked against N here.
      const auto b = graph.initializers.find(matmul->inputs[1]);
      if (b == graph.initializers.end() || b->second.rank() != 2) continue;
      const std::string scale = outer.inputs[1 - i];
      if (!is_layer_scale(scale, b->second.dim(1))) continue;
      std::vector<std::string> inputs = matmul->inputs;
      inputs.resize(4);
      inputs.push_back(scale);
      erased[producer.at(cast->inputs[0])] = true;
      erased[producer.at(outer.inputs[i])] = true;
      become_onnxgen_node(outer, "MatMulIntegerScaled", std::move(inputs));
      changed = true;
      break;
    }
  }
  if (!changed) return false;
  erase_nodes(graph, erased);
  import_onnxgen_domain(model);
  return true;
}

}  // namespace onnxgen
