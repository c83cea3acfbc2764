// ONNX Attention (opset 23+) with past_key/past_value inputs → PagedAttention. 3-D [B, S, N*D]
// Q/K/V feed it directly; 4-D [B, N, S, D] ones are flattened token-major and the output turned back.

#include "models/paged_attention_builder.h"

namespace onnxgen::models {

void rewrite_onnx_attention(PagedAttentionBuilder& b, const std::vector<const Node*>& nodes) {
  GraphEditor& e = b.editor();
  const IoNames& io = b.config().io;
  for (const Node* n : nodes) {
    const std::string where = n->label();
    const auto& a = n->attrs;
    auto input = [&](size_t i) { return i < n->inputs.size() ? n->inputs[i] : std::string(); };
    ONNXGEN_CHECK(a.get_int("is_causal", 0) == 1, where, " is not causal (is_causal=0)");
    ONNXGEN_CHECK(input(3).empty(), where, " has an attn_mask, whose meaning the rewrite cannot check");
    ONNXGEN_CHECK(input(6).empty(), where, " has nonpad_kv_seqlen (padded batches), which the paged cache replaces");
    ONNXGEN_CHECK(n->outputs.size() < 4 || n->outputs[3].empty(), where, " exports its QK scores");
    ONNXGEN_CHECK(a.get_int("right_window_size", -1) <= 0, where, " looks ahead (right_window_size > 0)");
    const std::string &past_k = input(4), &past_v = input(5);
    ONNXGEN_CHECK(!past_k.empty() && !past_v.empty(), where, " has no past key/value inputs");
    const int64_t layer = b.layer_of(past_k, io.past_key, where);
    ONNXGEN_CHECK(b.layer_of(past_v, io.past_value, where) == layer, where, " reads past key and value of different layers");
    const ValueInfo* past_info = e.input(past_k);
    ONNXGEN_CHECK(past_info, where, ": past key '", past_k, "' is not a graph input");
    const int64_t kv_heads = b.dim_or_config(past_k, 1, a.get_int("kv_num_heads", b.config().num_kv_heads));
    const int64_t heads = a.get_int("q_num_heads", b.config().num_heads);
    const int64_t head = b.dim_or_config(past_k, 3, b.config().head_size);
    b.set_geometry(heads, kv_heads, head, past_info->dtype, where);

    PagedAttentionReport::Layer l = layer_settings(layer, a, head);
    // left_window_size keys precede the query's own.
    const int64_t left = a.get_int("left_window_size", -1);
    l.sliding_window = left >= 0 ? left + 1 : 0;
    const std::vector<std::string> present = {output_at(*n, 1), output_at(*n, 2)};
    // 3-D inputs carry the head counts as attributes; 4-D ones in their shape.
    if (a.has("q_num_heads")) {
      b.emit(n->inputs[0], n->inputs[1], n->inputs[2], l, n->outputs[0], {past_k, past_v}, present);
    } else {
      const std::string attended = e.fresh("paged_attention");
      b.emit(b.flatten_heads(n->inputs[0], heads), b.flatten_heads(n->inputs[1], kv_heads),
             b.flatten_heads(n->inputs[2], kv_heads), l, attended, {past_k, past_v}, present);
      b.unflatten_heads(attended, heads, n->outputs[0]);
    }
    e.remove(n);
  }
}

}  // namespace onnxgen::models
