#include "runtime/graph/conv_fusion.h"

#include <cmath>
#include <unordered_map>
#include <vector>

namespace onnxgen {
namespace {

const Tensor* float_initializer(const Graph& graph, const std::string& name, int64_t numel) {
  auto it = graph.initializers.find(name);
  if (it == graph.initializers.end() || it->second.dtype() != DataType::kFloat) return nullptr;
  return numel < 0 || it->second.numel() == numel ? &it->second : nullptr;
}

bool is_plain_conv(const Node& n) {
  return n.domain.empty() && n.op_type == "Conv" && n.outputs.size() == 1;
}

// Folds bn (inference form) into conv when the weights, bias and statistics are initializers:
// w' = w * s, b' = (b - mean) * s + beta with s = gamma / sqrt(var + eps) per output channel.
bool fold_batch_norm(Graph& graph, Node& conv, const Node& bn, int64_t opset,
                     const std::unordered_map<std::string, int>& readers) {
  if (bn.inputs.size() != 5 || bn.outputs.size() != 1 || bn.attrs.get_int("training_mode", 0) != 0) return false;
  if (opset < 9 && bn.attrs.has("spatial") && bn.attrs.get_int("spatial", 1) != 1) return false;
  const Tensor* w = float_initializer(graph, conv.inputs[1], -1);
  if (!w || w->rank() < 3) return false;
  const int64_t channels = w->dim(0), per_channel = w->numel() / channels;
  const Tensor* b = conv.inputs.size() > 2 && !conv.inputs[2].empty() ? float_initializer(graph, conv.inputs[2], channels)
                                                                        : nullptr;
  if (conv.inputs.size() > 2 && !conv.inputs[2].empty() && !b) return false;
  const Tensor* stats[4];
  for (int i = 0; i < 4; ++i)
    if (!(stats[i] = float_initializer(graph, bn.inputs[1 + i], channels))) return false;
  const float eps = bn.attrs.get_float("epsilon", 1e-5f);
  Tensor w2 = Tensor::empty(DataType::kFloat, w->shape()), b2 = Tensor::empty(DataType::kFloat, {channels});
  const float *gamma = stats[0]->data<float>(), *beta = stats[1]->data<float>(), *mean = stats[2]->data<float>(),
              *var = stats[3]->data<float>();
  for (int64_t c = 0; c < channels; ++c) {
    const float s = gamma[c] / std::sqrt(var[c] + eps);
    for (int64_t i = 0; i < per_channel; ++i)
      w2.data<float>()[c * per_channel + i] = w->data<float>()[c * per_channel + i] * s;
    b2.data<float>()[c] = ((b ? b->data<float>()[c] : 0.0f) - mean[c]) * s + beta[c];
  }
  // The unfused weights go when nothing else reads them (and no graph input names them).
  auto drop_if_unshared = [&](const std::string& name) {
    if (readers.at(name) != 1) return;
    for (const ValueInfo& in : graph.inputs)
      if (in.name == name) return;
    graph.initializers.erase(name);
  };
  drop_if_unshared(conv.inputs[1]);
  if (b) drop_if_unshared(conv.inputs[2]);
  const std::string prefix = bn.outputs[0] + "/conv_bn_fused_";
  graph.initializers[prefix + "W"] = w2;
  graph.initializers[prefix + "B"] = b2;
  conv.inputs.resize(3);
  conv.inputs[1] = prefix + "W";
  conv.inputs[2] = prefix + "B";
  return true;
}

}  // namespace

bool ConvFusion::run(Model& model) {
  Graph& graph = *model.graph;
  std::unordered_map<std::string, size_t> producer = producers(graph);
  const std::unordered_map<std::string, int> readers = reader_counts(graph);
  std::vector<bool> removed(graph.nodes.size(), false);
  bool changed = false;
  // Each follower is matched to the Conv that produces its input; a Conv takes a
  // BatchNormalization and then a Relu, in graph order.
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& next = graph.nodes[i];
    if (!next.domain.empty() || next.inputs.empty() || next.outputs.size() != 1) continue;
    const bool bn = next.op_type == "BatchNormalization", relu = next.op_type == "Relu";
    if (!bn && !relu) continue;
    auto p = producer.find(next.inputs[0]);
    if (p == producer.end() || removed[p->second]) continue;
    Node& conv = graph.nodes[p->second];
    auto r = readers.find(next.inputs[0]);
    if (r == readers.end() || r->second != 1) continue;
    const bool fused = conv.domain == "com.onnxgen" && conv.op_type == "FusedConv";
    if (bn) {
      if (!is_plain_conv(conv) || !fold_batch_norm(graph, conv, next, model.opset(""), readers)) continue;
    } else {
      if (fused || !is_plain_conv(conv)) continue;
      conv.domain = "com.onnxgen";
      conv.op_type = "FusedConv";
      conv.attrs.set("activation", string_attribute("Relu"));
      import_onnxgen_domain(model);
    }
    conv.outputs[0] = next.outputs[0];
    producer[conv.outputs[0]] = p->second;
    removed[i] = true;
    changed = true;
  }
  if (changed) erase_nodes(graph, removed);
  return changed;
}

}  // namespace onnxgen
