#include "models/graph_editor.h"

namespace onnxgen::models {

GraphEditor::GraphEditor(Graph& graph) : graph_(graph), fresh_(graph) { index(); }

void GraphEditor::index() {
  producer_.clear();
  consumers_.clear();
  static_.clear();
  for (size_t i = 0; i < graph_.nodes.size(); ++i) {
    for (const auto& o : graph_.nodes[i].outputs)
      if (!o.empty()) producer_[o] = i;
    for (const auto& in : graph_.nodes[i].inputs)
      if (!in.empty()) consumers_[in].push_back(i);
  }
}

const Node* GraphEditor::producer(const std::string& value) const {
  auto it = producer_.find(value);
  return it == producer_.end() ? nullptr : &graph_.nodes[it->second];
}

std::vector<const Node*> GraphEditor::consumers(const std::string& value) const {
  std::vector<const Node*> out;
  auto it = consumers_.find(value);
  if (it != consumers_.end())
    for (size_t i : it->second) out.push_back(&graph_.nodes[i]);
  return out;
}

const ValueInfo* GraphEditor::input(const std::string& name) const {
  for (const auto& in : graph_.inputs)
    if (in.name == name) return &in;
  return nullptr;
}

bool GraphEditor::is_graph_output(const std::string& name) const {
  for (const auto& o : graph_.outputs)
    if (o.name == name) return true;
  return false;
}

bool GraphEditor::is_static(const std::string& value) const {
  if (value.empty() || graph_.initializers.count(value)) return true;
  if (auto it = static_.find(value); it != static_.end()) return it->second;
  static_[value] = false;  // breaks cycles in malformed graphs
  const Node* p = producer(value);
  bool result = false;
  if (p && p->op_type == "Constant") {
    result = true;
  } else if (p && (p->op_type == "Shape" || p->op_type == "Size")) {
    result = true;
  } else if (p && p->domain.empty() && !p->op_type.starts_with("Random") && p->op_type != "Multinomial" &&
             p->op_type != "Bernoulli") {
    result = true;
    for (const auto& in : p->inputs) result = result && is_static(in);
  }
  static_[value] = result;
  return result;
}

const Tensor* GraphEditor::constant(const std::string& value) const {
  if (auto it = graph_.initializers.find(value); it != graph_.initializers.end()) return &it->second;
  const Node* p = producer(value);
  if (p && p->op_type == "Constant") return p->attrs.get_tensor("value");
  return nullptr;
}

std::string GraphEditor::fresh(const std::string& base) { return fresh_(base); }

std::string GraphEditor::add_int64s(const std::string& base, const std::vector<int64_t>& values) {
  std::string name = fresh(base);
  Tensor t = Tensor::empty(DataType::kInt64, {static_cast<int64_t>(values.size())});
  std::copy(values.begin(), values.end(), t.data<int64_t>());
  graph_.initializers[name] = t;
  return name;
}

std::string GraphEditor::add_node(const std::string& op, const std::string& domain, std::vector<std::string> inputs,
                                  std::vector<std::string> outputs, AttributeMap attrs) {
  Node n;
  n.op_type = op;
  n.domain = domain;
  n.name = fresh(op);
  n.inputs = std::move(inputs);
  for (auto& o : outputs) {
    if (o.empty())
      o = fresh(op + "_out");
    else
      fresh_.take(o);
  }
  n.outputs = std::move(outputs);
  n.attrs = std::move(attrs);
  added_.push_back(std::move(n));
  return added_.back().outputs.front();
}

void GraphEditor::remove(const Node* node) { removed_.insert(node); }

void GraphEditor::set_input(const Node* node, size_t i, const std::string& value) {
  Node& n = graph_.nodes.at(static_cast<size_t>(node - graph_.nodes.data()));
  n.inputs.at(i) = value;
  index();
}

void GraphEditor::commit() {
  std::vector<Node> kept;
  kept.reserve(graph_.nodes.size() + added_.size());
  for (auto& n : graph_.nodes)
    if (!removed_.count(&n)) kept.push_back(std::move(n));
  for (auto& n : added_) kept.push_back(std::move(n));
  graph_.nodes = std::move(kept);
  removed_.clear();
  added_.clear();
  index();
}

}  // namespace onnxgen::models
