#pragma once
// A graph compiled for running: nodes ordered once, kernels built once, constant subgraphs
// folded, every value given a slot, and each intermediate released right after its last reader
// so its buffer goes back to the allocator's cache for the next node.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "runtime/exec/kernel.h"
#include "runtime/exec/op_registry.h"
#include "runtime/graph/graph.h"

namespace onnxgen {

struct PlanOptions {
  // Where kernels run. On a device, a node whose op has no kernel there (or whose kernel refuses
  // its attributes) runs on the CPU, copying its inputs across, and so does a node with only
  // integer inputs on the host (shape arithmetic). Initializers that device kernels read are
  // uploaded once, at planning; run() takes and returns host tensors.
  Device device;
  ThreadPool* pool = nullptr;  // null: ThreadPool::global()
  bool fold_constants = true;
  // Called after each node runs with its outputs (unused optional outputs undefined): the hook for
  // dumping intermediates when hunting a divergence from a reference runtime.
  std::function<void(const Node&, std::span<const Tensor>)> observer;
};

class ExecutionPlan {
 public:
  // `captured_names` lists enclosing-scope values a subgraph reads; run() receives them in order.
  ExecutionPlan(std::shared_ptr<const Graph> graph, const std::map<std::string, int64_t>& opsets,
                std::vector<std::string> captured_names, PlanOptions options);
  ~ExecutionPlan();
  ExecutionPlan(const ExecutionPlan&) = delete;
  ExecutionPlan& operator=(const ExecutionPlan&) = delete;

  const std::vector<std::string>& input_names() const { return input_names_; }
  const std::vector<std::string>& output_names() const { return output_names_; }
  const Graph& graph() const { return *graph_; }
  size_t num_steps() const { return steps_.size(); }

  // Where each step (in plan order) ran during the last run(): a device plan places per run.
  const std::vector<Device>& placements() const { return placements_; }

  // `inputs` follow input_names(); a default-constructed Tensor leaves an optional input unset.
  std::vector<Tensor> run(std::span<const Tensor> inputs, std::span<const Tensor* const> captured = {});
  // The same into `outputs`, whose capacity a decode loop reuses from run to run.
  void run(std::span<const Tensor> inputs, std::vector<Tensor>& outputs, std::span<const Tensor* const> captured = {});

 private:
  struct Step;
  void build(const std::map<std::string, int64_t>& opsets);
  void upload_constants();
  bool on_device(const Step& step, std::span<const Tensor* const> inputs) const;
  int slot_of(const std::string& name) const;

  std::shared_ptr<const Graph> graph_;
  std::vector<std::string> captured_names_;
  PlanOptions options_;
  std::vector<std::string> input_names_;
  std::vector<std::string> output_names_;

  std::map<std::string, int> slots_;
  std::vector<Tensor> constants_;   // by slot; defined for initializers and folded values
  std::vector<Tensor> device_constants_;  // by slot; constants_ uploaded for device kernels
  std::vector<int> input_slots_;
  std::vector<int> captured_slots_;
  std::vector<int> output_slots_;
  std::vector<std::unique_ptr<Step>> steps_;
  std::vector<Device> placements_;

  // run()'s working vectors, kept between runs so a steady decode loop allocates none of them.
  // A run that finds them taken (a concurrent or re-entrant run) uses its own.
  struct RunScratch {
    std::vector<Tensor> values;
    std::vector<const Tensor*> refs;
    std::vector<Tensor> mirrors;
    std::vector<const Tensor*> in;
    std::vector<const Tensor*> cap;
    std::vector<Tensor> out;
  };
  std::mutex scratch_mu_;
  RunScratch scratch_;
};

}  // namespace onnxgen
