#include "models/paged_attention_builder.h"

#include <cmath>

namespace onnxgen::models {

std::string key_cache_input(int64_t layer) { return paged::kKeyCachePrefix + std::to_string(layer); }
std::string value_cache_input(int64_t layer) { return paged::kValueCachePrefix + std::to_string(layer); }

const std::string& input_at(const Node& n, size_t i) {
  static const std::string none;
  return i < n.inputs.size() ? n.inputs[i] : none;
}

const std::string& output_at(const Node& n, size_t i) {
  static const std::string none;
  return i < n.outputs.size() ? n.outputs[i] : none;
}

PagedAttentionReport::Layer layer_settings(int64_t index, const AttributeMap& attrs, int64_t head) {
  PagedAttentionReport::Layer l;
  l.index = index;
  l.scale = attrs.get_float("scale", 0);
  if (l.scale == 0) l.scale = 1.0f / std::sqrt(static_cast<float>(head));
  l.softcap = attrs.get_float("softcap", 0);
  return l;
}

namespace {

// Layers a pattern is tried against when the config does not say how many there are.
constexpr int64_t kMaxLayers = 1024;

ValueInfo tensor_input(const std::string& name, DataType dtype, const std::vector<Dim>& dims) {
  ValueInfo v;
  v.name = name;
  v.dtype = dtype;
  v.has_shape = true;
  v.dims = dims;
  return v;
}

Dim symbolic(const std::string& name) { return Dim{-1, name}; }
Dim fixed(int64_t value) { return Dim{value, ""}; }

}  // namespace

int64_t PagedAttentionBuilder::layer_of(const std::string& name, const std::string& pattern,
                                        const std::string& what) const {
  const int64_t layers = config_.num_layers > 0 ? config_.num_layers : kMaxLayers;
  if (!pattern.empty())
    for (int64_t i = 0; i < layers; ++i)
      if (layer_name(pattern, i) == name) return i;
  fail(what, " reads '", name, "', which is not a past input named like '", pattern, "' for layers 0 to ",
       layers - 1);
}

void PagedAttentionBuilder::set_geometry(int64_t heads, int64_t kv_heads, int64_t head_size, DataType kv_dtype,
                                         const std::string& where) {
  ONNXGEN_CHECK(heads > 0 && kv_heads > 0 && head_size > 0 && heads % kv_heads == 0, where, ": ", heads,
                " heads, ", kv_heads, " KV heads of size ", head_size, " is not a GQA geometry");
  ONNXGEN_CHECK(kv_dtype == DataType::kFloat || kv_dtype == DataType::kFloat16, where, ": KV cache of ",
                to_string(kv_dtype), "; PagedAttention keeps float32 or float16");
  if (report_.num_heads == 0) {
    report_.num_heads = heads;
    report_.num_kv_heads = kv_heads;
    report_.head_size = head_size;
    report_.kv_dtype = kv_dtype;
    return;
  }
  ONNXGEN_CHECK(report_.num_heads == heads && report_.num_kv_heads == kv_heads && report_.head_size == head_size &&
                    report_.kv_dtype == kv_dtype,
                where, ": ", heads, "/", kv_heads, " heads of ", head_size, " (", to_string(kv_dtype),
                ") differ from the other layers' ", report_.num_heads, "/", report_.num_kv_heads, " of ",
                report_.head_size, " (", to_string(report_.kv_dtype), "); one block pool serves every layer");
}

int64_t PagedAttentionBuilder::dim_or_config(const std::string& past, size_t axis, int64_t from_config) const {
  const ValueInfo* in = editor_.input(past);
  if (in && in->has_shape && axis < in->dims.size() && in->dims[axis].value > 0) {
    ONNXGEN_CHECK(from_config <= 0 || from_config == in->dims[axis].value, "past input '", past, "' has ",
                  in->dims[axis].value, " at axis ", axis, " but the model config says ", from_config);
    return in->dims[axis].value;
  }
  return from_config;
}

void PagedAttentionBuilder::emit(const std::string& q, const std::string& k, const std::string& v,
                                 const PagedAttentionReport::Layer& layer, const std::string& output,
                                 std::vector<std::string> past, std::vector<std::string> present) {
  for (const auto& l : report_.layers)
    ONNXGEN_CHECK(l.index != layer.index, "two attentions use layer ", layer.index, "'s KV cache");
  Graph& g = editor_.graph();
  const std::string key_cache = key_cache_input(layer.index), value_cache = value_cache_input(layer.index);
  for (const auto& name : {key_cache, value_cache})
    g.inputs.push_back(tensor_input(name, report_.kv_dtype,
                                    {symbolic("num_blocks"), fixed(report_.num_kv_heads), symbolic("block_size"),
                                     fixed(report_.head_size)}));
  AttributeMap attrs;
  attrs.set("num_heads", int_attribute(report_.num_heads));
  attrs.set("num_kv_heads", int_attribute(report_.num_kv_heads));
  if (layer.scale > 0) attrs.set("scale", float_attribute(layer.scale));
  if (layer.softcap > 0) attrs.set("softcap", float_attribute(layer.softcap));
  if (layer.sliding_window > 0) attrs.set("sliding_window", int_attribute(layer.sliding_window));
  editor_.add_node("PagedAttention", "com.onnxgen",
                   {q, k, v, key_cache, value_cache, paged::kSlotMapping, paged::kBlockTables, paged::kContextLens,
                    paged::kQueryStartLoc},
                   {output}, std::move(attrs));
  report_.layers.push_back(layer);
  for (auto& p : past) past_.push_back(std::move(p));
  for (auto& p : present) present_.push_back(std::move(p));
}

std::string PagedAttentionBuilder::flatten_heads(const std::string& x, int64_t heads) {
  AttributeMap perm;
  perm.set("perm", ints_attribute({0, 2, 1, 3}));
  std::string t = editor_.add_node("Transpose", "", {x}, {""}, std::move(perm));
  return editor_.add_node("Reshape", "", {t, editor_.add_int64s("flat_shape", {-1, heads * report_.head_size})}, {""});
}

void PagedAttentionBuilder::unflatten_heads(const std::string& x, int64_t heads, const std::string& output) {
  std::string view =
      editor_.add_node("Reshape", "", {x, editor_.add_int64s("heads_shape", {1, -1, heads, report_.head_size})}, {""});
  AttributeMap perm;
  perm.set("perm", ints_attribute({0, 2, 1, 3}));
  editor_.add_node("Transpose", "", {view}, {output}, std::move(perm));
}

std::string PagedAttentionBuilder::position_ids() {
  if (editor_.input(paged::kPositionIds)) return paged::kPositionIds;
  editor_.graph().inputs.push_back(
      tensor_input(paged::kPositionIds, DataType::kInt64, {fixed(1), symbolic("num_tokens")}));
  report_.added_position_ids = true;
  return paged::kPositionIds;
}

}  // namespace onnxgen::models
