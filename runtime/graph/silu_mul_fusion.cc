#include "runtime/graph/silu_mul_fusion.h"

namespace onnxgen {
namespace {

bool is_default(const Node& n, const char* op, size_t inputs) {
  return n.domain.empty() && n.op_type == op && n.inputs.size() == inputs && n.outputs.size() == 1 &&
         !n.outputs[0].empty();
}

}  // namespace

bool SiluMulFusion::run(Model& model) {
  Graph& graph = *model.graph;
  const auto producer = producers(graph);
  const auto readers = reader_counts(graph);
  const auto only_reader = [&](const std::string& value) {
    const auto r = readers.find(value);
    return r != readers.end() && r->second == 1;
  };
  const auto produced_by = [&](const std::string& value, const char* op, size_t inputs) -> const Node* {
    const auto p = producer.find(value);
    return p != producer.end() && is_default(graph.nodes[p->second], op, inputs) ? &graph.nodes[p->second] : nullptr;
  };
  std::vector<bool> erased(graph.nodes.size(), false);
  bool changed = false;
  for (Node& outer : graph.nodes) {
    if (!is_default(outer, "Mul", 2)) continue;
    for (size_t i = 0; i < 2; ++i) {
      // outer = silu * u, silu = x * Sigmoid(x) (operands in either order).
      const Node* silu = produced_by(outer.inputs[i], "Mul", 2);
      if (!silu || !only_reader(outer.inputs[i])) continue;
      size_t x_at = 2;
      for (size_t j = 0; j < 2; ++j) {
        const Node* sigmoid = produced_by(silu->inputs[j], "Sigmoid", 1);
        if (sigmoid && sigmoid->inputs[0] == silu->inputs[1 - j] && only_reader(silu->inputs[j])) x_at = 1 - j;
      }
      if (x_at == 2) continue;
      const std::string x = silu->inputs[x_at], u = outer.inputs[1 - i];
      erased[producer.at(silu->inputs[1 - x_at])] = true;
      erased[producer.at(outer.inputs[i])] = true;
      become_onnxgen_node(outer, "SiluMul", {x, u});
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
