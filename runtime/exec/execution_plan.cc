#include "runtime/exec/execution_plan.h"

#include <algorithm>
#include <chrono>
#include <queue>
#include <unordered_set>

#include "runtime/core/device_backend.h"
#include "runtime/core/device_traffic.h"
#include "runtime/exec/device_placement.h"
#include "runtime/exec/op_profile.h"

namespace onnxgen {
namespace {

// Folding these would freeze one random draw into the model.
bool is_nondeterministic(const Node& n) {
  static const std::unordered_set<std::string> ops = {"RandomNormal", "RandomUniform", "RandomNormalLike",
                                                      "RandomUniformLike", "Multinomial", "Bernoulli"};
  return ops.count(n.op_type) != 0;
}

bool has_subgraph(const Node& n) {
  for (const auto& [name, a] : n.attrs.all())
    if (a.g || !a.graphs.empty()) return true;
  return false;
}

// Folded values that grow far beyond their inputs (ConstantOfShape, Expand, Tile) stay lazy.
constexpr size_t kMaxFoldGrowthBytes = size_t{16} << 20;

std::string describe_inputs(std::span<const Tensor* const> inputs) {
  std::string s;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (i) s += ", ";
    s += inputs[i] ? inputs[i]->describe() : "<none>";
  }
  return s;
}

}  // namespace

struct ExecutionPlan::Step {
  const Node* node;
  std::unique_ptr<OpKernel> kernel;       // for the plan's device; null on a device without one
  std::unique_ptr<OpKernel> host_kernel;  // on a device plan: the CPU kernel, when there is one
  std::vector<int> inputs;    // slot per input, -1 when omitted
  std::vector<int> captured;  // slots of enclosing-scope values the node's subgraphs read
  std::vector<int> outputs;   // slot per output, -1 when unused
  std::vector<int> release;   // slots whose last reader is this step
};

ExecutionPlan::ExecutionPlan(std::shared_ptr<const Graph> graph, const std::map<std::string, int64_t>& opsets,
                             std::vector<std::string> captured_names, PlanOptions options)
    : graph_(std::move(graph)), captured_names_(std::move(captured_names)), options_(options) {
  if (!options_.pool) options_.pool = &ThreadPool::global();
  // Fails here, naming the device, when it is not built in or has no hardware.
  if (options_.device.type != DeviceType::kCpu) device_backend(options_.device);
  build(opsets);
  if (options_.device.type != DeviceType::kCpu) upload_constants();
}

ExecutionPlan::~ExecutionPlan() = default;

int ExecutionPlan::slot_of(const std::string& name) const {
  auto it = slots_.find(name);
  return it == slots_.end() ? -1 : it->second;
}

void ExecutionPlan::build(const std::map<std::string, int64_t>& opsets) {
  const Graph& g = *graph_;
  auto new_slot = [&](const std::string& name) {
    int s = static_cast<int>(constants_.size());
    slots_[name] = s;
    constants_.emplace_back();
    return s;
  };
  for (const auto& name : captured_names_) captured_slots_.push_back(new_slot(name));
  for (const auto& [name, t] : g.initializers) constants_[new_slot(name)] = t;
  for (const auto* in : g.required_inputs()) {
    input_names_.push_back(in->name);
    input_slots_.push_back(new_slot(in->name));
  }

  // Order nodes so each runs after the producers of its inputs (Kahn's algorithm, stable).
  size_t n = g.nodes.size();
  std::map<std::string, size_t> producer;
  for (size_t i = 0; i < n; ++i)
    for (const auto& out : g.nodes[i].outputs) {
      if (out.empty()) continue;
      if (slots_.count(out) || producer.count(out))
        fail(g.nodes[i].label(), " redefines value '", out, "'");
      producer[out] = i;
    }
  std::vector<std::vector<std::string>> reads(n);
  std::vector<std::vector<std::string>> captures(n);  // values the node's subgraphs read from here
  for (size_t i = 0; i < n; ++i) {
    const Node& node = g.nodes[i];
    for (const auto& in : node.inputs)
      if (!in.empty()) reads[i].push_back(in);
    for (const auto& [attr_name, a] : node.attrs.all()) {
      std::vector<std::shared_ptr<Graph>> subs = a.graphs;
      if (a.g) subs.push_back(a.g);
      for (const auto& sub : subs)
        for (const auto& name : sub->outer_scope_names())
          if (std::find(captures[i].begin(), captures[i].end(), name) == captures[i].end()) {
            captures[i].push_back(name);
            reads[i].push_back(name);
          }
    }
  }
  std::vector<int> pending(n, 0);
  std::vector<std::vector<size_t>> consumers(n);
  for (size_t i = 0; i < n; ++i) {
    std::unordered_set<size_t> deps;
    for (const auto& name : reads[i]) {
      auto it = producer.find(name);
      if (it != producer.end()) deps.insert(it->second);
      else if (!slots_.count(name)) fail(g.nodes[i].label(), " reads '", name, "', which nothing defines");
    }
    for (size_t d : deps) consumers[d].push_back(i);
    pending[i] = static_cast<int>(deps.size());
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.push(i);
  std::vector<size_t> order;
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (size_t c : consumers[i])
      if (--pending[c] == 0) ready.push(c);
  }
  if (order.size() != n) fail("graph '", g.name, "' has a cycle");

  std::vector<bool> is_constant(constants_.size(), false);
  for (const auto& [name, t] : g.initializers) is_constant[slots_[name]] = true;

  for (size_t idx : order) {
    const Node& node = g.nodes[idx];
    auto step = std::make_unique<Step>();
    step->node = &node;
    for (const auto& in : node.inputs) step->inputs.push_back(in.empty() ? -1 : slot_of(in));
    const std::vector<std::string>& captured_names = captures[idx];
    for (const auto& name : captured_names) step->captured.push_back(slot_of(name));
    for (const auto& out : node.outputs) {
      if (out.empty()) {
        step->outputs.push_back(-1);
        continue;
      }
      step->outputs.push_back(new_slot(out));
      is_constant.push_back(false);
    }

    const int64_t opset = node_opset(node, opsets);
    if (opset == 0) fail(node.label(), ": the model does not import domain '", node.domain, "'");
    const bool device_plan = options_.device.type != DeviceType::kCpu;
    const OpRegistry& registry = OpRegistry::global();
    const KernelDef* def = registry.find(node.domain, node.op_type, opset, options_.device.type);
    const KernelDef* host_def = device_plan ? registry.find(node.domain, node.op_type, opset, DeviceType::kCpu) : nullptr;
    if (!def && !host_def)
      fail(node.label(), ": ", registry.explain_missing(node.domain, node.op_type, opset, options_.device.type));
    // On a device plan either kernel may refuse the node (an attribute or input the device
    // kernel lacks); it then runs with the other, and fails only when both refuse.
    try {
      if (host_def) {
        try {
          step->host_kernel = host_def->factory({node, opset, opsets, Device::cpu(), options_.pool, captured_names});
        } catch (const Error&) {
          if (!def) throw;
        }
      }
      if (def) {
        try {
          step->kernel = def->factory({node, opset, opsets, options_.device, options_.pool, captured_names});
        } catch (const Error&) {
          if (!step->host_kernel) throw;
        }
      }
    } catch (const Error& e) {
      fail(node.label(), ": ", e.what());
    }
    // Constants live on the host, so they fold through the CPU kernel.
    OpKernel* fold_kernel = device_plan ? step->host_kernel.get() : step->kernel.get();

    bool foldable = fold_kernel && options_.fold_constants && !is_nondeterministic(node) && !has_subgraph(node);
    for (int s : step->inputs)
      if (s >= 0 && !is_constant[s]) foldable = false;
    if (foldable) {
      std::vector<const Tensor*> in;
      size_t in_bytes = 0;
      for (int s : step->inputs) {
        in.push_back(s >= 0 ? &constants_[s] : nullptr);
        if (s >= 0) in_bytes += constants_[s].bytes();
      }
      std::vector<Tensor> out(node.outputs.size());
      bool folded = false;
      try {
        KernelContext ctx(node, in, {}, out, *options_.pool, cpu_allocator());
        fold_kernel->compute(ctx);
        folded = true;
        for (const auto& t : out)
          if (t.bytes() > in_bytes + kMaxFoldGrowthBytes) folded = false;
      } catch (const std::exception&) {
        // Left for run time, where the error gets reported with the run's context.
      }
      if (folded) {
        for (size_t k = 0; k < out.size(); ++k)
          if (step->outputs[k] >= 0) {
            constants_[step->outputs[k]] = std::move(out[k]);
            is_constant[step->outputs[k]] = true;
          }
        continue;
      }
    }
    steps_.push_back(std::move(step));
  }

  for (const auto& o : g.outputs) {
    int s = slot_of(o.name);
    if (s < 0) fail("graph '", g.name, "' output '", o.name, "' is never produced");
    output_names_.push_back(o.name);
    output_slots_.push_back(s);
  }

  // Release each non-constant value after its last reader, unless the graph returns it.
  std::vector<int> last_reader(constants_.size(), -1);
  for (size_t i = 0; i < steps_.size(); ++i) {
    for (int s : steps_[i]->inputs)
      if (s >= 0) last_reader[s] = static_cast<int>(i);
    for (int s : steps_[i]->captured)
      if (s >= 0) last_reader[s] = static_cast<int>(i);
  }
  std::vector<bool> keep(constants_.size(), false);
  for (int s : output_slots_) keep[s] = true;
  for (size_t s = 0; s < constants_.size(); ++s)
    if (last_reader[s] >= 0 && !keep[s] && !is_constant[s]) steps_[last_reader[s]]->release.push_back(static_cast<int>(s));
}

void ExecutionPlan::upload_constants() {
  device_constants_.resize(constants_.size());
  for (const auto& step : steps_) {
    if (!step->kernel) continue;
    for (size_t i = 0; i < step->inputs.size(); ++i) {
      const int s = step->inputs[i];
      if (s < 0 || !constants_[s].defined() || device_constants_[s].defined() || step->kernel->host_input(i)) continue;
      if (constants_[s].dtype() != DataType::kString) device_constants_[s] = copy_to_device(constants_[s], options_.device);
    }
  }
}

// Integer-only host inputs are shape arithmetic, cheaper on the CPU than a launch and a copy back.
bool ExecutionPlan::on_device(const Step& step, std::span<const Tensor* const> inputs) const {
  if (!step.kernel) return false;
  if (!step.host_kernel) return true;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor* t = inputs[i];
    if (t && !step.kernel->host_input(i) && (t->device() != Device::cpu() || is_float(t->dtype()))) return true;
  }
  return false;
}

std::vector<Tensor> ExecutionPlan::run(std::span<const Tensor> inputs, std::span<const Tensor* const> captured) {
  std::vector<Tensor> outputs;
  run(inputs, outputs, captured);
  return outputs;
}

void ExecutionPlan::run(std::span<const Tensor> inputs, std::vector<Tensor>& outputs,
                        std::span<const Tensor* const> captured) {
  if (inputs.size() != input_slots_.size())
    fail("graph '", graph_->name, "' expects ", input_slots_.size(), " inputs, got ", inputs.size());
  if (captured.size() != captured_slots_.size())
    fail("graph '", graph_->name, "' expects ", captured_slots_.size(), " captured values, got ", captured.size());
  std::unique_lock scratch_lock(scratch_mu_, std::try_to_lock);
  RunScratch own;
  RunScratch& scratch = scratch_lock.owns_lock() ? scratch_ : own;
  auto& values = scratch.values;
  auto& refs = scratch.refs;
  values.assign(constants_.size(), Tensor());
  refs.assign(constants_.size(), nullptr);
  for (size_t s = 0; s < constants_.size(); ++s)
    if (constants_[s].defined()) refs[s] = &constants_[s];
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined()) {
      values[input_slots_[i]] = inputs[i];
      refs[input_slots_[i]] = &values[input_slots_[i]];
    }
  for (size_t i = 0; i < captured.size(); ++i) refs[captured_slots_[i]] = captured[i];

  const bool device_plan = options_.device.type != DeviceType::kCpu;
  if (device_plan) count_device_run();
  // A value's copy on the other side (host or device), made when a step first needs it there.
  auto& mirrors = scratch.mirrors;
  mirrors.assign(device_plan ? constants_.size() : 0, Tensor());
  auto placed = [&](int s, Device want) -> const Tensor* {
    const Tensor* t = refs[s];
    if (!t || t->device() == want) return t;
    if (want != Device::cpu() && device_constants_[s].defined()) return &device_constants_[s];
    if (!mirrors[s].defined() || mirrors[s].device() != want) mirrors[s] = copy_to_device(*t, want);
    return &mirrors[s];
  };

  auto& in = scratch.in;
  auto& cap = scratch.cap;
  auto& out = scratch.out;
  placements_.assign(steps_.size(), options_.device);
  const bool profile = op_profile::enabled();
  for (size_t step_index = 0; step_index < steps_.size(); ++step_index) {
    const auto& step = steps_[step_index];
    in.clear();
    for (int s : step->inputs) in.push_back(s >= 0 ? refs[s] : nullptr);
    cap.clear();
    for (int s : step->captured) cap.push_back(refs[s]);
    out.assign(step->outputs.size(), Tensor());
    try {
      OpKernel* kernel = step->kernel.get();
      Device where = options_.device;
      if (device_plan) {
        if (!on_device(*step, in)) {
          kernel = step->host_kernel.get();
          where = placements_[step_index] = Device::cpu();
          count_host_step();
        }
        for (size_t i = 0; i < in.size(); ++i)
          if (step->inputs[i] >= 0)
            in[i] = placed(step->inputs[i], where != Device::cpu() && kernel->host_input(i) ? Device::cpu() : where);
        for (size_t i = 0; i < cap.size(); ++i) cap[i] = placed(step->captured[i], Device::cpu());
      }
      KernelContext ctx(*step->node, in, cap, out, *options_.pool, allocator_for(where));
      if (profile) {
        const auto start = std::chrono::steady_clock::now();
        kernel->compute(ctx);
        op_profile::record(step->node->domain, step->node->op_type,
                           std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
                               .count());
      } else {
        kernel->compute(ctx);
      }
    } catch (const std::exception& e) {
      fail(step->node->label(), " with inputs (", describe_inputs(in), "): ", e.what());
    }
    if (options_.observer) {
      if (device_plan) {
        std::vector<Tensor> host(out.size());
        for (size_t k = 0; k < out.size(); ++k) host[k] = copy_to_device(out[k], Device::cpu());
        options_.observer(*step->node, host);
      } else {
        options_.observer(*step->node, out);
      }
    }
    for (size_t k = 0; k < out.size(); ++k) {
      int s = step->outputs[k];
      if (s < 0) continue;
      if (!out[k].defined()) fail(step->node->label(), " did not produce its output '", step->node->outputs[k], "'");
      values[s] = std::move(out[k]);
      refs[s] = &values[s];
    }
    for (int s : step->release) {
      values[s] = Tensor();
      refs[s] = nullptr;
      if (device_plan) mirrors[s] = Tensor();
    }
  }
  outputs.clear();
  for (size_t i = 0; i < output_slots_.size(); ++i) {
    const Tensor* t = refs[output_slots_[i]];
    if (!t) fail("graph '", graph_->name, "' output '", output_names_[i], "' has no value (an optional input left unset?)");
    outputs.push_back(copy_to_device(*t, Device::cpu()));
  }
  // Everything still held goes back to the allocator now, not at the next run.
  std::fill(values.begin(), values.end(), Tensor());
  std::fill(mirrors.begin(), mirrors.end(), Tensor());
  std::fill(out.begin(), out.end(), Tensor());
}

}  // namespace onnxgen
