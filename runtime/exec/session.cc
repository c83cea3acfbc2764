#include "runtime/exec/session.h"

#include "runtime/core/sequence.h"
#include "runtime/graph/conv_fusion.h"
#include "runtime/graph/matmul_integer_scale_fusion.h"
#include "runtime/graph/matmul_nbits_fusion.h"
#include "runtime/graph/silu_mul_fusion.h"
#include "runtime/ops/cpu/q4_int8_gemm.h"

namespace onnxgen {

Session::Session(const std::string& model_path, SessionOptions options)
    : Session(load_model(model_path), std::move(options)) {}

namespace {

// The newest default-domain opset whose changes the kernels implement (ONNX 1.23); a newer
// model may rely on semantics they do not have. Opsets 26-28 mostly widened types, which kernels
// refuse when they lack them; the new attributes (SpaceToDepth's mode) are implemented.
constexpr int64_t kNewestKnownOpset = 28;

}  // namespace

Session::Session(Model model, SessionOptions options) : model_(std::move(model)) {
  if (int64_t opset = model_.opset(""); opset > kNewestKnownOpset || opset < 1)
    fail(model_.path, ": imports default-domain opset ", opset, "; onnxgen supports opsets 1 to ", kNewestKnownOpset);
  for (const auto& pass : options.passes) {
    try {
      pass->run(model_);
    } catch (const Error& e) {
      fail(model_.path, ": graph pass '", pass->name(), "': ", e.what());
    }
  }
  // Built-in fusions; an observer sees every node of the graph as written, so none then.
  if (!options.observer) {
    ConvFusion().run(model_);
    SiluMulFusion().run(model_);
    if (options.device.type == DeviceType::kCpu && q4_int8_supported()) MatMulNBitsFusion().run(model_);
    if (options.device.type == DeviceType::kCpu) MatMulIntegerScaleFusion().run(model_);
  }
  inputs_ = model_.graph->required_inputs();
  PlanOptions plan_options;
  plan_options.device = options.device;
  plan_options.fold_constants = options.fold_constants;
  plan_options.observer = options.observer;
  try {
    plan_ = std::make_unique<ExecutionPlan>(model_.graph, model_.opsets, std::vector<std::string>{}, plan_options);
  } catch (const Error& e) {
    fail(model_.path, ": ", e.what());
  }
}

void Session::validate(const ValueInfo& info, const Tensor& t) const {
  switch (info.kind) {
    case ValueInfo::Kind::kTensor:
      ONNXGEN_CHECK(!is_sequence(t) && !is_empty_optional(t), model_.path, ": input '", info.name,
                    "' expects a tensor, got ", t.describe());
      break;
    case ValueInfo::Kind::kSequence:
      ONNXGEN_CHECK(is_sequence(t), model_.path, ": input '", info.name, "' expects a sequence, got ", t.describe());
      return;
    case ValueInfo::Kind::kOptional: return;  // empty, or a tensor or sequence
    default: fail(model_.path, ": input '", info.name, "' is a map or of unknown type; it cannot be fed");
  }
  if (info.dtype != DataType::kUndefined && info.dtype != t.dtype())
    fail(model_.path, ": input '", info.name, "' expects ", to_string(info.dtype), ", got ", t.describe());
  if (!info.has_shape) return;
  bool ok = info.dims.size() == t.rank();
  for (size_t i = 0; ok && i < info.dims.size(); ++i)
    if (info.dims[i].value >= 0 && info.dims[i].value != t.dim(i)) ok = false;
  if (!ok) {
    std::string expected = "[";
    for (size_t i = 0; i < info.dims.size(); ++i) {
      if (i) expected += ",";
      expected += info.dims[i].value >= 0 ? std::to_string(info.dims[i].value)
                                          : (info.dims[i].param.empty() ? "?" : info.dims[i].param);
    }
    fail(model_.path, ": input '", info.name, "' expects shape ", expected, "], got ", t.describe());
  }
}

std::vector<Tensor> Session::run(const std::vector<Tensor>& inputs) {
  std::vector<Tensor> outputs;
  run(inputs, outputs);
  return outputs;
}

void Session::run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) {
  if (inputs.size() != inputs_.size())
    fail(model_.path, ": expects ", inputs_.size(), " inputs, got ", inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) validate(*inputs_[i], inputs[i]);
  try {
    plan_->run(inputs, outputs);
  } catch (const Error& e) {
    fail(model_.path, ": ", e.what());
  }
}

std::vector<Tensor> Session::run(const std::map<std::string, Tensor>& inputs) {
  std::vector<Tensor> ordered(inputs_.size());
  for (const auto& [name, t] : inputs) {
    size_t i = 0;
    while (i < inputs_.size() && inputs_[i]->name != name) ++i;
    if (i == inputs_.size()) fail(model_.path, ": the model has no input named '", name, "'");
    ordered[i] = t;
  }
  for (size_t i = 0; i < ordered.size(); ++i)
    if (!ordered[i].defined()) fail(model_.path, ": input '", inputs_[i]->name, "' was not given");
  return run(ordered);
}

}  // namespace onnxgen
