#include "models/paged_attention_rewrite.h"

#include <algorithm>
#include <memory>

#include "models/paged_attention_builder.h"
#include "runtime/graph/dead_code.h"

namespace onnxgen::models {

namespace {

ValueInfo int32_input(const std::string& name, std::vector<std::string> dims) {
  ValueInfo v;
  v.name = name;
  v.dtype = DataType::kInt32;
  v.has_shape = true;
  for (auto& d : dims) v.dims.push_back(Dim{-1, std::move(d)});
  return v;
}

// Ops between the LM head and the logits that act on each token alone (casts, final softcap).
bool per_token(const GraphEditor& e, const Node& n, std::string& activation) {
  if (!n.domain.empty()) return false;
  if (n.op_type == "Cast" || n.op_type == "Tanh" || n.op_type == "Identity") {
    activation = n.inputs[0];
    return true;
  }
  if (n.op_type == "Mul" || n.op_type == "Div" || n.op_type == "Add" || n.op_type == "Sub") {
    if (e.is_static(n.inputs[1])) activation = n.inputs[0];
    else if (e.is_static(n.inputs[0]) && n.op_type != "Div" && n.op_type != "Sub") activation = n.inputs[1];
    else return false;
    return true;
  }
  return false;
}

// Gathers the LM head's input rows at onnxgen.logits_indices, so logits are computed only for the
// sampled tokens. Returns false (graph untouched) when the head is not a recognisable projection.
bool gather_logits(GraphEditor& e, const std::string& logits) {
  std::string value = logits;
  for (int depth = 0; depth < 16; ++depth) {
    const Node* p = e.producer(value);
    if (!p) return false;
    const bool projection = (p->op_type == "MatMul" && p->domain.empty() && e.is_static(p->inputs[1])) ||
                            (p->op_type == "MatMulNBits" && p->domain == "com.microsoft");
    if (projection) {
      AttributeMap attrs;
      attrs.set("axis", int_attribute(-2));  // the token axis of [1, T, hidden] or [T, hidden]
      std::string rows = e.add_node("Gather", "", {p->inputs[0], paged::kLogitsIndices}, {""}, std::move(attrs));
      e.set_input(p, 0, rows);
      e.graph().inputs.push_back(int32_input(paged::kLogitsIndices, {"num_logits"}));
      e.commit();
      return true;
    }
    if (!per_token(e, *p, value)) return false;
  }
  return false;
}

// Whether `value` is computed from the shape of one of `past` (the cached length).
bool from_past_length(const GraphEditor& e, const std::string& value, const std::vector<std::string>& past, int depth = 0) {
  const Node* p = e.producer(value);
  if (!p || depth > 16) return false;
  if (p->op_type == "Shape") return std::find(past.begin(), past.end(), p->inputs[0]) != past.end();
  for (const auto& in : p->inputs)
    if (!in.empty() && from_past_length(e, in, past, depth + 1)) return true;
  return false;
}

// Some exports (Optimum's Gemma-2) derive positions as Range(past_length, past_length + S). In a
// flattened batch each token has its own position: the Range becomes the position_ids input.
void positions_from_position_ids(PagedAttentionBuilder& b) {
  GraphEditor& e = b.editor();
  for (const auto& n : e.graph().nodes) {
    if (n.op_type != "Range" || !n.domain.empty() || !from_past_length(e, n.inputs[0], b.past_inputs())) continue;
    const Node* start = e.producer(n.inputs[0]);
    const int64_t dtype = start && start->op_type == "Cast" ? start->attrs.get_int("to") : 7;  // 7: int64
    AttributeMap to;
    to.set("to", int_attribute(dtype));
    std::string flat = e.add_node("Reshape", "", {b.position_ids(), e.add_int64s("flat", {-1})}, {""});
    e.add_node("Cast", "", {flat}, {n.outputs[0]}, std::move(to));
    e.remove(&n);
  }
  e.commit();
}

}  // namespace

std::string PagedAttentionReport::summary() const {
  if (!rewritten) return "attention not rewritten to PagedAttention: " + reason;
  std::string s = str_cat(pattern, " → PagedAttention on ", layers.size(), " layers (", num_heads, " heads, ",
                          num_kv_heads, " KV heads of ", head_size, ", KV ", to_string(kv_dtype), ")");
  // Consecutive layers with the same settings share one entry ("layers 0-29 scale 0.125").
  auto settings = [](const Layer& l) {
    std::string t = str_cat(" scale ", l.scale);
    if (l.softcap > 0) t += str_cat(" softcap ", l.softcap);
    if (l.sliding_window > 0) t += str_cat(" window ", l.sliding_window);
    return t;
  };
  for (size_t i = 0; i < layers.size();) {
    size_t j = i + 1;
    while (j < layers.size() && settings(layers[j]) == settings(layers[i])) ++j;
    s += j - i == 1 ? str_cat("; layer ", layers[i].index) : str_cat("; layers ", layers[i].index, "-", layers[j - 1].index);
    s += settings(layers[i]);
    i = j;
  }
  if (logits_gathered) s += "; logits gathered";
  if (added_position_ids) s += "; position_ids added";
  if (reads_attention_mask) s += "; still reads attention_mask";
  return s;
}

bool PagedAttentionRewrite::run(Model& model) {
  report_ = PagedAttentionReport{};
  auto graph = std::make_shared<Graph>(*model.graph);
  GraphEditor e(*graph);
  PagedAttentionBuilder b(e, config_, report_);
  try {
    std::vector<const Node*> gqa, contrib, mha, onnx;
    for (const auto& n : graph->nodes) {
      if (n.domain == "com.microsoft" && n.op_type == "GroupQueryAttention") gqa.push_back(&n);
      else if (n.domain == "com.microsoft" && n.op_type == "Attention") contrib.push_back(&n);
      else if (n.domain == "com.microsoft" && n.op_type == "MultiHeadAttention") mha.push_back(&n);
      else if (n.domain.empty() && n.op_type == "Attention") onnx.push_back(&n);
      ONNXGEN_CHECK(n.domain != "com.onnxgen", "the graph already holds ", n.label());
    }
    const int64_t opset = model.opset("");
    ONNXGEN_CHECK(!gqa.empty() + !contrib.empty() + !mha.empty() + !onnx.empty() <= 1,
                  "the graph mixes attention ops (GroupQueryAttention, Attention, MultiHeadAttention, ONNX Attention)");
    if (!gqa.empty()) {
      report_.pattern = "com.microsoft GroupQueryAttention";
      rewrite_group_query_attention(b, gqa, opset);
    } else if (!contrib.empty()) {
      report_.pattern = "com.microsoft Attention";
      rewrite_contrib_attention(b, contrib, opset);
    } else if (!mha.empty()) {
      report_.pattern = "com.microsoft MultiHeadAttention";
      rewrite_multi_head_attention(b, mha, opset);
    } else if (!onnx.empty()) {
      report_.pattern = "ONNX Attention";
      rewrite_onnx_attention(b, onnx);
    } else {
      report_.pattern = "decomposed attention";
      rewrite_decomposed_attention(b, model);
    }
    ONNXGEN_CHECK(config_.num_layers <= 0 || report_.num_layers() == config_.num_layers, "rewrote ",
                  report_.num_layers(), " attention layers of the config's ", config_.num_layers);
    std::sort(report_.layers.begin(), report_.layers.end(), [](const auto& x, const auto& y) { return x.index < y.index; });
    e.commit();
    positions_from_position_ids(b);

    graph->inputs.push_back(int32_input(paged::kSlotMapping, {"num_tokens"}));
    graph->inputs.push_back(int32_input(paged::kBlockTables, {"num_seqs", "max_blocks"}));
    graph->inputs.push_back(int32_input(paged::kContextLens, {"num_seqs"}));
    graph->inputs.push_back(int32_input(paged::kQueryStartLoc, {"num_seqs_plus_1"}));
    const auto& present = b.present_outputs();
    std::erase_if(graph->outputs, [&](const ValueInfo& o) {
      return std::find(present.begin(), present.end(), o.name) != present.end();
    });
    remove_dead_code(*graph);
    GraphEditor after(*graph);
    for (const auto& past : b.past_inputs()) {
      auto readers = after.consumers(past);
      ONNXGEN_CHECK(!after.input(past), "past input '", past, "' is still read after the rewrite",
                    readers.empty() ? std::string(" (by a graph output)") : " by " + readers[0]->label());
    }
    const int64_t layers = std::max<int64_t>(config_.num_layers, report_.num_layers());
    for (const auto& o : graph->outputs)
      for (int64_t i = 0; i < layers; ++i)
        for (const auto* pattern : {&config_.io.present_key, &config_.io.present_value, &config_.io.present_combined})
          ONNXGEN_CHECK(pattern->empty() || o.name != layer_name(*pattern, i), "graph output '", o.name,
                        "' remains: layer ", i, "'s attention was not rewritten");
    report_.logits_gathered = gather_logits(after, config_.io.logits);
    report_.reads_attention_mask = after.input(config_.io.attention_mask) != nullptr;
  } catch (const Error& err) {
    PagedAttentionReport failed;
    failed.reason = err.what();
    report_ = failed;
    return false;
  }
  model.graph = graph;
  model.opsets["com.onnxgen"] = 1;
  model.opsets.emplace("com.microsoft", 1);  // RotaryEmbedding may have been added
  report_.rewritten = true;
  return true;
}

}  // namespace onnxgen::models
