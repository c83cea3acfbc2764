#include "runtime/exec/device_placement.h"

#include <algorithm>
#include <unordered_set>

#include "runtime/exec/op_registry.h"

namespace onnxgen {

int64_t node_opset(const Node& node, const std::map<std::string, int64_t>& opsets) {
  auto it = opsets.find(node.domain);
  if (it != opsets.end()) return it->second;
  return node.domain.empty() ? 0 : 1;
}

std::vector<HostFallback> host_fallbacks(const Graph& graph, const std::map<std::string, int64_t>& opsets,
                                         Device device) {
  std::vector<HostFallback> out;
  const OpRegistry& registry = OpRegistry::global();
  // Values computed from initializers alone: the plan folds their nodes once, at planning.
  std::unordered_set<std::string> constant;
  for (const auto& [name, t] : graph.initializers) constant.insert(name);
  bool grew = true;
  while (grew) {
    grew = false;
    for (const Node& node : graph.nodes) {
      if (node.outputs.empty() || constant.count(node.outputs[0])) continue;
      const bool folds = std::all_of(node.inputs.begin(), node.inputs.end(),
                                     [&](const std::string& in) { return in.empty() || constant.count(in); });
      if (!folds) continue;
      for (const auto& o : node.outputs) constant.insert(o);
      grew = true;
    }
  }
  for (const Node& node : graph.nodes) {
    if (!node.outputs.empty() && constant.count(node.outputs[0])) continue;
    const int64_t opset = node_opset(node, opsets);
    const KernelDef* def = registry.find(node.domain, node.op_type, opset, device.type);
    if (!def) {
      out.push_back({&node, registry.explain_missing(node.domain, node.op_type, opset, device.type)});
      continue;
    }
    try {
      def->factory({node, opset, opsets, device, nullptr, {}});
    } catch (const Error& e) {
      out.push_back({&node, e.what()});
    }
  }
  return out;
}

}  // namespace onnxgen
