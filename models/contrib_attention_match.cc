// com.microsoft GroupQueryAttention (onnxruntime-genai builder), Attention (GPT-2 exports with
// a packed [2, B, H, S, D] past) and MultiHeadAttention (3-D self attention with past_key/value)
// → PagedAttention.

#include "models/paged_attention_builder.h"

namespace onnxgen::models {

namespace {

// Splits the last axis of a packed projection into q, k, v.
std::vector<std::string> split_qkv(GraphEditor& e, const std::string& packed, const std::vector<int64_t>& sizes,
                                   int64_t opset) {
  AttributeMap attrs;
  attrs.set("axis", int_attribute(-1));
  std::vector<std::string> inputs = {packed};
  // Split takes its sizes as an input from opset 13, as an attribute before.
  if (opset >= 13) inputs.push_back(e.add_int64s("qkv_sizes", sizes));
  else attrs.set("split", ints_attribute(sizes));
  std::vector<std::string> outs = {e.fresh("q"), e.fresh("k"), e.fresh("v")};
  e.add_node("Split", "", std::move(inputs), outs, std::move(attrs));
  return outs;
}

std::string rotate(GraphEditor& e, const std::string& x, const std::string& positions, const std::string& cos,
                   const std::string& sin, int64_t heads, int64_t rotary_dim, bool interleaved) {
  AttributeMap attrs;
  attrs.set("num_heads", int_attribute(heads));
  attrs.set("interleaved", int_attribute(interleaved ? 1 : 0));
  if (rotary_dim > 0) attrs.set("rotary_embedding_dim", int_attribute(rotary_dim));
  return e.add_node("RotaryEmbedding", "com.microsoft", {x, positions, cos, sin}, {""}, std::move(attrs));
}

}  // namespace

void rewrite_group_query_attention(PagedAttentionBuilder& b, const std::vector<const Node*>& nodes, int64_t opset) {
  GraphEditor& e = b.editor();
  const IoNames& io = b.config().io;
  for (const Node* n : nodes) {
    const std::string where = n->label();
    const auto& a = n->attrs;
    const std::string &past_k = input_at(*n, 3), &past_v = input_at(*n, 4);
    ONNXGEN_CHECK(!past_k.empty() && !past_v.empty(), where, " has no past key/value inputs");
    const int64_t layer = b.layer_of(past_k, io.past_key, where);
    ONNXGEN_CHECK(b.layer_of(past_v, io.past_value, where) == layer, where, " reads past key and value of different layers");
    ONNXGEN_CHECK(input_at(*n, 10).empty() && input_at(*n, 11).empty(), where,
                  " has an attention_bias or head_sink input, which PagedAttention does not take");
    ONNXGEN_CHECK(a.get_int("smooth_softmax", 0) == 0, where, " uses smooth_softmax, which PagedAttention does not");
    ONNXGEN_CHECK(n->outputs.size() < 4 || n->outputs[3].empty(), where, " exports its QK scores");
    const int64_t heads = a.get_int("num_heads"), kv_heads = a.get_int("kv_num_heads");
    const ValueInfo* past_info = e.input(past_k);
    ONNXGEN_CHECK(past_info, where, ": past key '", past_k, "' is not a graph input");
    const int64_t head = b.dim_or_config(past_k, 3, b.config().head_size);
    b.set_geometry(heads, kv_heads, head, past_info->dtype, where);

    std::string q = n->inputs[0], k = input_at(*n, 1), v = input_at(*n, 2);
    if (k.empty()) {
      ONNXGEN_CHECK(v.empty(), where, " has a value input but no key input");
      auto qkv = split_qkv(e, q, {heads * head, kv_heads * head, kv_heads * head}, opset);
      q = qkv[0], k = qkv[1], v = qkv[2];
    }
    if (a.get_int("do_rotary", 0) != 0) {
      const std::string &cos = input_at(*n, 7), &sin = input_at(*n, 8);
      ONNXGEN_CHECK(!cos.empty() && !sin.empty(), where, " has do_rotary=1 but no cos/sin caches");
      const Tensor* cos_cache = e.constant(cos);
      ONNXGEN_CHECK(cos_cache && cos_cache->rank() == 2, where, ": the rotary cos cache '", cos,
                    "' is not a constant [max_position, rotary_dim / 2]");
      const int64_t rotary_dim = 2 * cos_cache->dim(1);
      const std::string positions = input_at(*n, 9).empty() ? b.position_ids() : input_at(*n, 9);
      const bool interleaved = a.get_int("rotary_interleaved", 0) != 0;
      q = rotate(e, q, positions, cos, sin, heads, rotary_dim, interleaved);
      k = rotate(e, k, positions, cos, sin, kv_heads, rotary_dim, interleaved);
    }
    PagedAttentionReport::Layer l = layer_settings(layer, a, head);
    // ORT's local_window_size counts the query's own key, as PagedAttention's window does.
    l.sliding_window = std::max<int64_t>(0, a.get_int("local_window_size", -1));
    b.emit(q, k, v, l, n->outputs[0], {past_k, past_v}, {output_at(*n, 1), output_at(*n, 2)});
    e.remove(n);
  }
}

void rewrite_contrib_attention(PagedAttentionBuilder& b, const std::vector<const Node*>& nodes, int64_t opset) {
  GraphEditor& e = b.editor();
  const IoNames& io = b.config().io;
  for (const Node* n : nodes) {
    const std::string where = n->label();
    const auto& a = n->attrs;
    ONNXGEN_CHECK(a.get_int("unidirectional", 0) == 1, where, " is not unidirectional (causal)");
    ONNXGEN_CHECK(a.get_int("do_rotary", 0) == 0, where, " uses do_rotary, which is not rewritten yet");
    ONNXGEN_CHECK(input_at(*n, 5).empty(), where, " has an attention_bias input, which PagedAttention does not take");
    const std::string& past = input_at(*n, 4);
    ONNXGEN_CHECK(!past.empty(), where, " has no past input");
    const int64_t layer = b.layer_of(past, io.past_combined, where);
    const ValueInfo* past_info = e.input(past);
    ONNXGEN_CHECK(past_info, where, ": past '", past, "' is not a graph input");
    const Tensor* weights = e.constant(input_at(*n, 1));
    ONNXGEN_CHECK(weights && weights->rank() == 2, where, ": the QKV weights are not a constant matrix");
    const int64_t heads = a.get_int("num_heads");
    std::vector<int64_t> sizes = a.get_ints("qkv_hidden_sizes");
    if (sizes.empty()) sizes.assign(3, weights->dim(1) / 3);
    ONNXGEN_CHECK(sizes.size() == 3 && sizes[0] == sizes[1] && sizes[1] == sizes[2] && sizes[0] % heads == 0 &&
                      sizes[0] + sizes[1] + sizes[2] == weights->dim(1),
                  where, ": Q, K and V sizes must be equal and fill the weights' ", weights->dim(1), " columns");
    const int64_t head = b.dim_or_config(past, 4, sizes[0] / heads);
    b.set_geometry(heads, heads, head, past_info->dtype, where);

    std::string qkv = e.add_node("MatMul", "", {n->inputs[0], n->inputs[1]}, {""});
    if (!input_at(*n, 2).empty()) qkv = e.add_node("Add", "", {qkv, n->inputs[2]}, {""});
    auto parts = split_qkv(e, qkv, sizes, opset);
    b.emit(parts[0], parts[1], parts[2], layer_settings(layer, a, head), n->outputs[0], {past}, {output_at(*n, 1)});
    e.remove(n);
  }
}

void rewrite_multi_head_attention(PagedAttentionBuilder& b, const std::vector<const Node*>& nodes, int64_t opset) {
  GraphEditor& e = b.editor();
  const IoNames& io = b.config().io;
  for (const Node* n : nodes) {
    const std::string where = n->label();
    const auto& a = n->attrs;
    ONNXGEN_CHECK(a.get_int("unidirectional", 0) == 1, where, " is not unidirectional (causal)");
    ONNXGEN_CHECK(!input_at(*n, 1).empty() && !input_at(*n, 2).empty(), where,
                  " takes packed QKV or KV, which is not rewritten yet");
    ONNXGEN_CHECK(input_at(*n, 4).empty() && input_at(*n, 5).empty(), where,
                  " has a key_padding_mask or attention_bias, which PagedAttention does not take");
    const std::string &past_k = input_at(*n, 6), &past_v = input_at(*n, 7);
    ONNXGEN_CHECK(!past_k.empty() && !past_v.empty(), where, " has no past key/value inputs");
    const int64_t layer = b.layer_of(past_k, io.past_key, where);
    ONNXGEN_CHECK(b.layer_of(past_v, io.past_value, where) == layer, where, " reads past key and value of different layers");
    const ValueInfo* past_info = e.input(past_k);
    ONNXGEN_CHECK(past_info, where, ": past key '", past_k, "' is not a graph input");
    const int64_t heads = a.get_int("num_heads");
    const int64_t head = b.dim_or_config(past_k, 3, b.config().head_size);
    b.set_geometry(heads, heads, head, past_info->dtype, where);

    std::string q = n->inputs[0], k = n->inputs[1], v = n->inputs[2];
    if (!input_at(*n, 3).empty()) {
      auto bias = split_qkv(e, n->inputs[3], {heads * head, heads * head, heads * head}, opset);
      q = e.add_node("Add", "", {q, bias[0]}, {""});
      k = e.add_node("Add", "", {k, bias[1]}, {""});
      v = e.add_node("Add", "", {v, bias[2]}, {""});
    }
    b.emit(q, k, v, layer_settings(layer, a, head), n->outputs[0], {past_k, past_v},
           {output_at(*n, 1), output_at(*n, 2)});
    e.remove(n);
  }
}

}  // namespace onnxgen::models
