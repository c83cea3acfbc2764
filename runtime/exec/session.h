#pragma once
// Runs one ONNX model: load, rewrite passes, plan, run. The entry point for `onnxgen exec`,
// the conformance suite and, later, the generation engine.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/exec/execution_plan.h"
#include "runtime/graph/graph_pass.h"
#include "runtime/graph/model_loader.h"

namespace onnxgen {

struct SessionOptions {
  Device device;
  bool fold_constants = true;
  std::function<void(const Node&, std::span<const Tensor>)> observer;  // see PlanOptions::observer
  // Applied in order to the loaded graph before planning (e.g. attention → PagedAttention).
  std::vector<std::shared_ptr<GraphPass>> passes;
};

class Session {
 public:
  explicit Session(const std::string& model_path, SessionOptions options = {});
  explicit Session(Model model, SessionOptions options = {});

  const Model& model() const { return model_; }
  // The inputs a caller feeds (graph inputs without initializers) and the outputs, in graph order.
  const std::vector<const ValueInfo*>& inputs() const { return inputs_; }
  const std::vector<ValueInfo>& outputs() const { return model_.graph->outputs; }

  // Positional, in the order of inputs(). Checks dtypes and fixed dimensions first.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs);
  // The same into `outputs`, whose capacity a decode loop reuses from run to run.
  void run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs);
  std::vector<Tensor> run(const std::map<std::string, Tensor>& inputs);

 private:
  void validate(const ValueInfo& info, const Tensor& t) const;

  Model model_;
  std::vector<const ValueInfo*> inputs_;
  std::unique_ptr<ExecutionPlan> plan_;
};

}  // namespace onnxgen
