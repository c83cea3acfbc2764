#pragma once
// What the attention matchers share while rewriting to PagedAttention: the layer numbering from the
// model's I/O names, one geometry for every layer, the PagedAttention node with its engine-fed
// inputs, and the past inputs / present outputs that leave the graph. A matcher that meets a
// layer it cannot rewrite throws onnxgen::Error; the pass turns that into report().reason.
#include <string>
#include <vector>

#include "models/graph_editor.h"
#include "models/model_config.h"
#include "models/paged_attention_rewrite.h"

namespace onnxgen::models {

class PagedAttentionBuilder {
 public:
  PagedAttentionBuilder(GraphEditor& editor, const ModelConfig& config, PagedAttentionReport& report)
      : editor_(editor), config_(config), report_(report) {}

  GraphEditor& editor() { return editor_; }
  const ModelConfig& config() const { return config_; }

  // The layer whose I/O name `pattern` ("%d" for the layer) gives `name`; throws naming `what`.
  int64_t layer_of(const std::string& name, const std::string& pattern, const std::string& what) const;
  // Head geometry and KV dtype, identical for every layer.
  void set_geometry(int64_t heads, int64_t kv_heads, int64_t head_size, DataType kv_dtype, const std::string& where);
  // head_size from a past input's dimension `axis` when static, else from the config.
  int64_t dim_or_config(const std::string& past, size_t axis, int64_t from_config) const;

  // Appends PagedAttention(q [.., H*D], k, v [.., KVH*D]) for `layer`, writing `output`, and
  // records the layer; `past`/`present` name the inputs/outputs the rewrite drops.
  void emit(const std::string& q, const std::string& k, const std::string& v, const PagedAttentionReport::Layer& layer,
            const std::string& output, std::vector<std::string> past, std::vector<std::string> present);
  // [1, N, T, D] → [T, N*D] and back, for attention that works head-major.
  std::string flatten_heads(const std::string& x, int64_t heads);
  void unflatten_heads(const std::string& x, int64_t heads, const std::string& output);
  // The per-token position_ids input, added (int64 [1, T]) when the model has none.
  std::string position_ids();

  const std::vector<std::string>& past_inputs() const { return past_; }
  const std::vector<std::string>& present_outputs() const { return present_; }

 private:
  GraphEditor& editor_;
  const ModelConfig& config_;
  PagedAttentionReport& report_;
  std::vector<std::string> past_, present_;
};

// Input or output i of `n`, or "" when the node has fewer (omitted optional ones).
const std::string& input_at(const Node& n, size_t i);
const std::string& output_at(const Node& n, size_t i);
// The settings an attention op's attributes give one layer: `scale` (0 or absent: 1/sqrt(head))
// and `softcap`; the caller adds the window, whose attribute differs per op.
PagedAttentionReport::Layer layer_settings(int64_t index, const AttributeMap& attrs, int64_t head);

// The matchers, each rewriting every layer or throwing; `opset` is the default domain's.
void rewrite_group_query_attention(PagedAttentionBuilder& b, const std::vector<const Node*>& nodes, int64_t opset);
void rewrite_contrib_attention(PagedAttentionBuilder& b, const std::vector<const Node*>& nodes, int64_t opset);
void rewrite_multi_head_attention(PagedAttentionBuilder& b, const std::vector<const Node*>& nodes, int64_t opset);
void rewrite_onnx_attention(PagedAttentionBuilder& b, const std::vector<const Node*>& nodes);
// `model` is the graph before any edit: its masks and scales are evaluated on a probe prefill.
void rewrite_decomposed_attention(PagedAttentionBuilder& b, const Model& model);

}  // namespace onnxgen::models
