#pragma once
// Pattern matching and editing over a Graph for model rewrites: who produces and who reads a
// value, whether a value is static (independent of the activations), and appending nodes and
// constants under fresh names. Removals are deferred to commit() so indices stay valid while matching.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runtime/graph/graph.h"

namespace onnxgen::models {

class GraphEditor {
 public:
  explicit GraphEditor(Graph& graph);

  Graph& graph() { return graph_; }
  const Node* producer(const std::string& value) const;
  std::vector<const Node*> consumers(const std::string& value) const;
  const ValueInfo* input(const std::string& name) const;  // graph input, nullptr if none
  bool is_graph_output(const std::string& name) const;
  // Computed from initializers, Constant nodes and Shape nodes only: fixed once shapes are.
  bool is_static(const std::string& value) const;
  // An initializer or Constant node's tensor, nullptr otherwise.
  const Tensor* constant(const std::string& value) const;

  std::string fresh(const std::string& base);
  std::string add_int64s(const std::string& base, const std::vector<int64_t>& values);
  // Queues a node for commit(); returns its first output's name. Outputs named "" get fresh names.
  std::string add_node(const std::string& op, const std::string& domain, std::vector<std::string> inputs,
                       std::vector<std::string> outputs, AttributeMap attrs = {});
  void remove(const Node* node);
  // Rewires input `i` of an existing node.
  void set_input(const Node* node, size_t i, const std::string& value);
  // Drops removed nodes and appends the queued ones (node pointers are invalid afterwards).
  void commit();

 private:
  void index();

  Graph& graph_;
  std::unordered_map<std::string, size_t> producer_;
  std::unordered_map<std::string, std::vector<size_t>> consumers_;
  std::unordered_set<const Node*> removed_;
  std::vector<Node> added_;
  mutable std::unordered_map<std::string, bool> static_;
  FreshNames fresh_;
};

}  // namespace onnxgen::models
