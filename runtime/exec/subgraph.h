#pragma once
// A control-flow node's body (If branch, Loop/Scan body), planned once when the node's kernel is
// built and run with the enclosing-scope values it captures.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/exec/execution_plan.h"

namespace onnxgen {

class Subgraph {
 public:
  Subgraph(std::shared_ptr<Graph> graph, const KernelInit& init);

  const Graph& graph() const { return *graph_; }
  size_t num_inputs() const { return plan_->input_names().size(); }
  size_t num_outputs() const { return plan_->output_names().size(); }

  // `node_captured` is KernelContext::captured() of the owning node.
  std::vector<Tensor> run(std::span<const Tensor> inputs, std::span<const Tensor* const> node_captured);

 private:
  std::shared_ptr<Graph> graph_;
  std::unique_ptr<ExecutionPlan> plan_;
  std::vector<size_t> capture_index_;  // position of each of the body's captures in the node's list
};

}  // namespace onnxgen
