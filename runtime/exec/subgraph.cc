#include "runtime/exec/subgraph.h"

#include <algorithm>

namespace onnxgen {

Subgraph::Subgraph(std::shared_ptr<Graph> graph, const KernelInit& init) : graph_(std::move(graph)) {
  std::vector<std::string> names = graph_->outer_scope_names();
  for (const auto& name : names) {
    auto it = std::find(init.captured_names.begin(), init.captured_names.end(), name);
    if (it == init.captured_names.end()) fail("subgraph '", graph_->name, "' reads unknown value '", name, "'");
    capture_index_.push_back(static_cast<size_t>(it - init.captured_names.begin()));
  }
  PlanOptions options;
  options.device = init.device;
  options.pool = init.pool;
  try {
    plan_ = std::make_unique<ExecutionPlan>(graph_, init.opsets, std::move(names), options);
  } catch (const Error& e) {
    fail("subgraph '", graph_->name, "': ", e.what());
  }
}

std::vector<Tensor> Subgraph::run(std::span<const Tensor> inputs, std::span<const Tensor* const> node_captured) {
  std::vector<const Tensor*> captured;
  captured.reserve(capture_index_.size());
  for (size_t i : capture_index_) {
    if (i >= node_captured.size() || !node_captured[i])
      fail("subgraph '", graph_->name, "' captured value ", i, " is not available");
    captured.push_back(node_captured[i]);
  }
  try {
    return plan_->run(inputs, captured);
  } catch (const Error& e) {
    fail("in subgraph '", graph_->name, "': ", e.what());
  }
}

}  // namespace onnxgen
