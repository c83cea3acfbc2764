#pragma once
// Small fixtures for kernel and executor tests: build tensors and run one node in a real plan.
#include <string>
#include <vector>

#include "runtime/exec/execution_plan.h"

namespace onnxgen::testing {

template <class T>
Tensor make_tensor(Shape shape, const std::vector<T>& values) {
  Tensor t = Tensor::empty(data_type_of<T>(), std::move(shape));
  if (static_cast<int64_t>(values.size()) != t.numel()) fail("make_tensor: ", values.size(), " values for ", t.describe());
  std::copy(values.begin(), values.end(), t.data<T>());
  return t;
}

template <class T>
std::vector<T> values_of(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

// A default-domain node, named for its op and first output, for graphs a test builds by hand.
Node graph_node(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs);
// A graph input, output or value_info named `name`.
ValueInfo value_info(const std::string& name, DataType dtype = DataType::kUndefined);

// A graph of `op_type` as its only node, whose inputs are named for `inputs` (an undefined Tensor
// is an omitted optional input) and fed in that order, less the omitted ones.
std::shared_ptr<Graph> single_node_graph(const std::string& op_type, const std::vector<Tensor>& inputs,
                                         const std::map<std::string, Attribute>& attrs, size_t num_outputs,
                                         const std::string& domain = "");
// The opsets such a graph imports.
std::map<std::string, int64_t> single_node_opsets(int64_t opset, const std::string& domain);
// The inputs to feed it: `inputs` less the omitted ones.
std::vector<Tensor> fed_inputs(const std::vector<Tensor>& inputs);

// Runs `op_type` as the only node of a graph whose inputs are `inputs` (an undefined Tensor is an
// omitted optional input) and returns its `num_outputs` outputs.
std::vector<Tensor> run_node(const std::string& op_type, const std::vector<Tensor>& inputs,
                             const std::map<std::string, Attribute>& attrs = {}, size_t num_outputs = 1,
                             int64_t opset = 17, const std::string& domain = "");

}  // namespace onnxgen::testing
