#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {

std::shared_ptr<Graph> single_node_graph(const std::string& op_type, const std::vector<Tensor>& inputs,
                                         const std::map<std::string, Attribute>& attrs, size_t num_outputs,
                                         const std::string& domain) {
  auto g = std::make_shared<Graph>();
  g->name = "test_" + op_type;
  Node node;
  node.op_type = op_type;
  node.domain = domain;
  node.name = op_type;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) {
      node.inputs.push_back("");
      continue;
    }
    std::string name = "in" + std::to_string(i);
    node.inputs.push_back(name);
    ValueInfo vi;
    vi.name = name;
    vi.dtype = inputs[i].dtype();
    g->inputs.push_back(vi);
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    std::string name = "out" + std::to_string(i);
    node.outputs.push_back(name);
    ValueInfo vi;
    vi.name = name;
    g->outputs.push_back(vi);
  }
  for (const auto& [name, a] : attrs) node.attrs.set(name, a);
  g->nodes.push_back(std::move(node));
  return g;
}

std::map<std::string, int64_t> single_node_opsets(int64_t opset, const std::string& domain) {
  std::map<std::string, int64_t> opsets = {{"", opset}};
  if (!domain.empty()) opsets[domain] = 1;
  return opsets;
}

std::vector<Tensor> fed_inputs(const std::vector<Tensor>& inputs) {
  std::vector<Tensor> fed;
  for (const Tensor& t : inputs)
    if (t.defined()) fed.push_back(t);
  return fed;
}

std::vector<Tensor> run_node(const std::string& op_type, const std::vector<Tensor>& inputs,
                             const std::map<std::string, Attribute>& attrs, size_t num_outputs, int64_t opset,
                             const std::string& domain) {
  PlanOptions options;
  options.fold_constants = false;
  ExecutionPlan plan(single_node_graph(op_type, inputs, attrs, num_outputs, domain), single_node_opsets(opset, domain),
                     {}, options);
  return plan.run(fed_inputs(inputs));
}

Node graph_node(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs) {
  Node n;
  n.op_type = op;
  n.name = outputs.empty() ? op : op + "_" + outputs.front();
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  return n;
}

ValueInfo value_info(const std::string& name, DataType dtype) {
  ValueInfo v;
  v.name = name;
  v.dtype = dtype;
  return v;
}

}  // namespace onnxgen::testing
