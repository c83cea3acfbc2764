#include "runtime/graph/bf16_weights.h"

#include <algorithm>
#include <unordered_set>

namespace onnxgen {
namespace {

// A float32 [K, N] (or [N, K]) initializer no caller may override.
bool castable(const Graph& graph, const std::unordered_set<std::string>& fed, const std::string& name) {
  const auto w = graph.initializers.find(name);
  return !fed.count(name) && w != graph.initializers.end() && w->second.dtype() == DataType::kFloat &&
         w->second.rank() == 2;
}

Node bf16_matmul(const Node& from, std::string a, std::string b, std::string y, bool trans_b) {
  Node n;
  n.domain = "com.onnxgen";
  n.op_type = "MatMulBf16Weights";
  n.name = from.name;
  n.inputs = {std::move(a), std::move(b)};
  n.outputs = {std::move(y)};
  if (trans_b) n.attrs.set("trans_b", int_attribute(1));
  return n;
}

}  // namespace

bool Bf16WeightsPass::run(Model& model) {
  Graph& graph = *model.graph;
  std::unordered_set<std::string> fed;
  for (const ValueInfo& in : graph.inputs) fed.insert(in.name);
  FreshNames fresh(graph);
  // Before opset 7 Add broadcasts only when told to, so a Gemm's bias keeps the Gemm there.
  const bool gemm_bias_as_add = model.opset("") >= 7;
  std::unordered_set<std::string> cast;  // cast as [K, N]: a tied embedding may gather their columns
  bool changed = false;
  std::vector<Node> nodes;
  nodes.reserve(graph.nodes.size());
  for (Node& n : graph.nodes) {
    const bool plain = n.domain.empty() && n.outputs.size() == 1 && !n.outputs[0].empty();
    if (plain && n.op_type == "MatMul" && n.inputs.size() == 2 && castable(graph, fed, n.inputs[1])) {
      cast.insert(n.inputs[1]);
      nodes.push_back(bf16_matmul(n, n.inputs[0], n.inputs[1], n.outputs[0], false));
      changed = true;
      continue;
    }
    // Gemm(A, B, C) = A * op(B) + C: the product on the copy, the bias as an Add (Gemm's
    // broadcast of C is Add's). Transposed A, scaled products or biases keep the Gemm.
    const bool has_c = n.inputs.size() == 3 && !n.inputs[2].empty();
    if (plain && n.op_type == "Gemm" && (n.inputs.size() == 2 || n.inputs.size() == 3) &&
        castable(graph, fed, n.inputs[1]) && n.attrs.get_int("transA", 0) == 0 && n.attrs.get_float("alpha", 1) == 1 &&
        (!has_c || (n.attrs.get_float("beta", 1) == 1 && gemm_bias_as_add))) {
      const bool trans_b = n.attrs.get_int("transB", 0) != 0;
      if (!trans_b) cast.insert(n.inputs[1]);
      if (!has_c) {
        nodes.push_back(bf16_matmul(n, n.inputs[0], n.inputs[1], n.outputs[0], trans_b));
      } else {
        const std::string product = fresh(n.outputs[0] + "/bf16_product");
        nodes.push_back(bf16_matmul(n, n.inputs[0], n.inputs[1], product, trans_b));
        Node add;
        add.op_type = "Add";
        add.name = n.name + "/bias";
        add.inputs = {product, n.inputs[2]};
        add.outputs = n.outputs;
        nodes.push_back(std::move(add));
      }
      changed = true;
      continue;
    }
    nodes.push_back(std::move(n));
  }
  graph.nodes = std::move(nodes);
  // A tied embedding gathers columns of an output projection cast above: from the same copy.
  for (Node& n : graph.nodes)
    if (n.domain.empty() && n.op_type == "Gather" && n.inputs.size() == 2 && cast.count(n.inputs[0]) &&
        n.attrs.get_int("axis", 0) == 1) {
      n.domain = "com.onnxgen";
      n.op_type = "GatherColumnsBf16";
      n.attrs = {};
    }
  if (changed) import_onnxgen_domain(model);
  return changed;
}

}  // namespace onnxgen
