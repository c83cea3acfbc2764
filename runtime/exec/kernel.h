#pragma once
// The contract between the executor and an op implementation. A kernel is built once per node
// (attributes parsed then) and computed per run; it sizes its outputs from its inputs' shapes,
// which is the executor's run-time shape inference.
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/core/allocator.h"
#include "runtime/core/device.h"
#include "runtime/core/tensor.h"
#include "runtime/core/thread_pool.h"
#include "runtime/graph/graph.h"

namespace onnxgen {

struct KernelInit {
  const Node& node;
  int64_t opset;                                  // version of node.domain the model imports
  const std::map<std::string, int64_t>& opsets;  // all of them, for subgraph plans
  Device device;
  ThreadPool* pool;
  // For nodes with subgraphs: the enclosing-scope values they capture, in the order the
  // executor passes them (KernelContext::captured).
  std::vector<std::string> captured_names;

  const AttributeMap& attrs() const { return node.attrs; }
};

class KernelContext {
 public:
  KernelContext(const Node& node, std::span<const Tensor* const> inputs, std::span<const Tensor* const> captured,
                std::span<Tensor> outputs, ThreadPool& pool, Allocator& allocator)
      : node_(node), inputs_(inputs), captured_(captured), outputs_(outputs), pool_(pool), allocator_(allocator) {}

  size_t num_inputs() const { return inputs_.size(); }
  // Null when the input is omitted or beyond those given.
  const Tensor* input(size_t i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  const Tensor& required(size_t i) const;
  size_t num_outputs() const { return outputs_.size(); }
  bool output_wanted(size_t i) const { return i < outputs_.size() && !node_.outputs[i].empty(); }

  Tensor& allocate(size_t i, DataType dtype, Shape shape);
  void set_output(size_t i, Tensor t);
  std::span<const Tensor* const> captured() const { return captured_; }

  const Node& node() const { return node_; }
  ThreadPool& pool() const { return pool_; }
  Allocator& allocator() const { return allocator_; }

 private:
  const Node& node_;
  std::span<const Tensor* const> inputs_;
  std::span<const Tensor* const> captured_;
  std::span<Tensor> outputs_;
  ThreadPool& pool_;
  Allocator& allocator_;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  virtual void compute(KernelContext& ctx) = 0;
  // For a device kernel: inputs it reads on the host (shapes, lengths), which the executor leaves
  // there instead of copying them to the device.
  virtual bool host_input(size_t /*i*/) const { return false; }
};

}  // namespace onnxgen
