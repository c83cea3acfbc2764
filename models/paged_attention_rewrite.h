#pragma once
// Rewrites a decoder's attention into com.onnxgen PagedAttention so one graph run serves a
// flattened batch of T tokens from S sequences over the paged KV cache (runtime/kv_cache).
// All or nothing: when any layer's attention is not recognised the graph is left as it was and
// report().reason says why; the engine then keeps the contiguous KV cache.
//
// Recognised, in priority order: com.microsoft GroupQueryAttention (onnxruntime-genai builder;
// packed or separate Q/K/V, do_rotary, local_window_size, softcap), com.microsoft Attention
// (packed GPT-2 past, unidirectional), com.microsoft MultiHeadAttention (3-D Q/K/V, past_key/value),
// ONNX Attention (opset 23+, causal, past_key/past_value)
// and Optimum's decomposed attention (present.N.key/value =
// Concat(past, new), MatMul → scale/softcap/mask → Softmax → MatMul; the mask is evaluated once
// on a probe prefill to recover causality and each layer's sliding window).
#include <cstdint>
#include <string>
#include <vector>

#include "models/model_config.h"
#include "runtime/graph/graph_pass.h"

namespace onnxgen::models {

// The rewritten graph's inputs, which the generation engine feeds.
namespace paged {
inline constexpr const char* kInputIds = "input_ids";                // [1, T], the model's dtype
inline constexpr const char* kPositionIds = "position_ids";          // [1, T] int64
inline constexpr const char* kAttentionMask = "attention_mask";      // [1, T] ones, when still read
inline constexpr const char* kSlotMapping = "onnxgen.slot_mapping";  // [T] int32
inline constexpr const char* kBlockTables = "onnxgen.block_tables";  // [S, max_blocks] int32
inline constexpr const char* kContextLens = "onnxgen.context_lens";  // [S] int32
inline constexpr const char* kQueryStartLoc = "onnxgen.query_start_loc";  // [S + 1] int32
inline constexpr const char* kLogitsIndices = "onnxgen.logits_indices";   // [N] int32: rows of T to score
inline constexpr const char* kKeyCachePrefix = "onnxgen.key_cache.";      // + layer: [blocks, KVH, block, D]
inline constexpr const char* kValueCachePrefix = "onnxgen.value_cache.";
}  // namespace paged

std::string key_cache_input(int64_t layer);
std::string value_cache_input(int64_t layer);

// What the rewrite did; the engine sizes the block pool from it.
struct PagedAttentionReport {
  struct Layer {
    int64_t index = 0;
    float scale = 0;           // 0: 1/sqrt(head_size)
    float softcap = 0;         // 0: none
    int64_t sliding_window = 0;  // 0: none; else keys seen per query, its own included
  };
  bool rewritten = false;
  std::string reason;   // why not, when !rewritten
  std::string pattern;  // the attention form that matched
  DataType kv_dtype = DataType::kUndefined;
  int64_t num_heads = 0, num_kv_heads = 0, head_size = 0;
  bool logits_gathered = false;     // `logits` is [1, N, vocab] for onnxgen.logits_indices
  bool added_position_ids = false;  // the model computed positions itself; position_ids was added
  bool reads_attention_mask = false;
  std::vector<Layer> layers;

  int64_t num_layers() const { return static_cast<int64_t>(layers.size()); }
  std::string summary() const;  // one line for logs
};

class PagedAttentionRewrite : public GraphPass {
 public:
  explicit PagedAttentionRewrite(ModelConfig config) : config_(std::move(config)) {}
  std::string name() const override { return "paged_attention"; }
  // Returns whether the graph was rewritten; an unrecognised graph is not an error.
  bool run(Model& model) override;
  const PagedAttentionReport& report() const { return report_; }

 private:
  ModelConfig config_;
  PagedAttentionReport report_;
};

}  // namespace onnxgen::models
