#pragma once
// The executor's own graph IR: plain structs decoupled from protobuf, so rewrite passes can edit
// graphs freely and nothing at run time touches protobuf objects.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runtime/core/tensor.h"
#include "runtime/graph/attribute.h"

namespace onnxgen {

struct Dim {
  int64_t value = -1;  // -1 when symbolic or unknown
  std::string param;   // symbolic name such as "batch_size"
};

struct ValueInfo {
  enum class Kind { kTensor, kSequence, kOptional, kMap, kUnknown };
  std::string name;
  Kind kind = Kind::kTensor;
  DataType dtype = DataType::kUndefined;
  bool has_shape = false;
  std::vector<Dim> dims;
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  // "" for the default ONNX domain ("ai.onnx" is normalised to "")
  std::vector<std::string> inputs;   // "" marks an omitted optional input
  std::vector<std::string> outputs;  // "" marks an unused optional output
  AttributeMap attrs;

  // "node 'name' (Domain::Op)" for error messages.
  std::string label() const;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;
  std::vector<ValueInfo> value_infos;
  std::unordered_map<std::string, Tensor> initializers;

  // Graph inputs that have no initializer: what a caller must feed.
  std::vector<const ValueInfo*> required_inputs() const;
  // Names read by this graph (or its nested subgraphs) but defined in none of them: the values a
  // subgraph captures from the graphs enclosing it, in first-use order.
  std::vector<std::string> outer_scope_names() const;
};

struct Model {
  std::string path;  // file it was loaded from, for messages
  int64_t ir_version = 0;
  std::string producer;
  std::map<std::string, int64_t> opsets;  // domain -> version
  std::shared_ptr<Graph> graph;

  int64_t opset(const std::string& domain) const;  // 0 when the model does not import `domain`
};

std::string canonical_domain(const std::string& domain);

// For rewrites. How many nodes (subgraphs included, as captures) and graph outputs read each value.
std::unordered_map<std::string, int> reader_counts(const Graph& graph);
// Node index producing each value.
std::unordered_map<std::string, size_t> producers(const Graph& graph);
// Drops the nodes marked in `erased` (indexed like graph.nodes), keeping the others' order.
void erase_nodes(Graph& graph, const std::vector<bool>& erased);
// Makes `model` import com.onnxgen (version 1 at least), for a rewrite that wrote its ops.
void import_onnxgen_domain(Model& model);
// Turns `n` into com.onnxgen `op_type` over `inputs`, its outputs and attributes kept (a fusion's
// last node taking the place of those it absorbed).
void become_onnxgen_node(Node& n, const std::string& op_type, std::vector<std::string> inputs);

// Names for what a rewrite adds, "onnxgen/<base>_<n>": none that a value of the graph had when
// this was made (an input, initializer, node input or output, graph output), none taken since.
class FreshNames {
 public:
  explicit FreshNames(const Graph& graph);
  std::string operator()(const std::string& base);
  // A name the rewrite gives a value itself, so no fresh one repeats it.
  void take(const std::string& name) { taken_.insert(name); }

 private:
  std::unordered_set<std::string> taken_;
  int64_t counter_ = 0;
};

}  // namespace onnxgen
