#include "runtime/graph/graph.h"

#include <algorithm>
#include <unordered_set>

namespace onnxgen {

std::string canonical_domain(const std::string& domain) { return domain == "ai.onnx" ? "" : domain; }

std::string Node::label() const {
  return str_cat("node '", name, "' (", domain.empty() ? "" : domain + "::", op_type, ")");
}

std::vector<const ValueInfo*> Graph::required_inputs() const {
  std::vector<const ValueInfo*> out;
  for (const auto& in : inputs)
    if (!initializers.count(in.name)) out.push_back(&in);
  return out;
}

namespace {

void collect_free_names(const Graph& g, std::unordered_set<std::string>& seen, std::vector<std::string>& out) {
  std::unordered_set<std::string> defined;
  for (const auto& in : g.inputs) defined.insert(in.name);
  for (const auto& [name, t] : g.initializers) defined.insert(name);
  for (const auto& n : g.nodes)
    for (const auto& o : n.outputs) defined.insert(o);
  auto use = [&](const std::string& name) {
    if (!name.empty() && !defined.count(name) && seen.insert(name).second) out.push_back(name);
  };
  for (const auto& n : g.nodes) {
    for (const auto& in : n.inputs) use(in);
    for (const auto& [attr_name, a] : n.attrs.all()) {
      std::vector<std::shared_ptr<Graph>> subs = a.graphs;
      if (a.g) subs.push_back(a.g);
      for (const auto& sub : subs) {
        std::unordered_set<std::string> sub_seen;
        std::vector<std::string> sub_free;
        collect_free_names(*sub, sub_seen, sub_free);
        for (const auto& name : sub_free) use(name);
      }
    }
  }
  for (const auto& o : g.outputs) use(o.name);
}

}  // namespace

std::vector<std::string> Graph::outer_scope_names() const {
  std::unordered_set<std::string> seen;
  std::vector<std::string> out;
  collect_free_names(*this, seen, out);
  return out;
}

int64_t Model::opset(const std::string& domain) const {
  auto it = opsets.find(canonical_domain(domain));
  return it == opsets.end() ? 0 : it->second;
}

std::unordered_map<std::string, int> reader_counts(const Graph& graph) {
  std::unordered_map<std::string, int> readers;
  for (const Node& n : graph.nodes) {
    for (const std::string& in : n.inputs)
      if (!in.empty()) ++readers[in];
    for (const auto& [name, attr] : n.attrs.all()) {
      if (attr.g)
        for (const std::string& outer : attr.g->outer_scope_names()) ++readers[outer];
      for (const auto& g : attr.graphs)
        for (const std::string& outer : g->outer_scope_names()) ++readers[outer];
    }
  }
  for (const ValueInfo& out : graph.outputs) ++readers[out.name];
  return readers;
}

std::unordered_map<std::string, size_t> producers(const Graph& graph) {
  std::unordered_map<std::string, size_t> producer;
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    for (const std::string& out : graph.nodes[i].outputs)
      if (!out.empty()) producer[out] = i;
  return producer;
}

FreshNames::FreshNames(const Graph& graph) {
  for (const ValueInfo& v : graph.inputs) taken_.insert(v.name);
  for (const ValueInfo& v : graph.outputs) taken_.insert(v.name);
  for (const auto& [name, t] : graph.initializers) taken_.insert(name);
  for (const Node& n : graph.nodes) {
    taken_.insert(n.inputs.begin(), n.inputs.end());
    taken_.insert(n.outputs.begin(), n.outputs.end());
  }
}

std::string FreshNames::operator()(const std::string& base) {
  std::string name;
  do {
    name = "onnxgen/" + base + "_" + std::to_string(counter_++);
  } while (!taken_.insert(name).second);
  return name;
}

void erase_nodes(Graph& graph, const std::vector<bool>& erased) {
  std::vector<Node> kept;
  kept.reserve(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    if (!erased[i]) kept.push_back(std::move(graph.nodes[i]));
  graph.nodes = std::move(kept);
}

void become_onnxgen_node(Node& n, const std::string& op_type, std::vector<std::string> inputs) {
  n.domain = "com.onnxgen";
  n.op_type = op_type;
  n.inputs = std::move(inputs);
}

void import_onnxgen_domain(Model& model) {
  model.opsets["com.onnxgen"] = std::max<int64_t>(model.opset("com.onnxgen"), 1);
}

}  // namespace onnxgen
