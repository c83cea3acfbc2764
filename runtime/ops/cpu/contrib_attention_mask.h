#pragma once
// ONNX Runtime's integer key masks (com.microsoft Attention mask_index, MultiHeadAttention
// key_padding_mask) turned into a boolean keep-mask for attention_core:
//   [B]        keys j < mask[b] are kept (right padding);
//   [2B]       keys mask[B + b] <= j < mask[b] are kept (left and right padding);
//   [B, T]     keys with mask[b, j] != 0 are kept;
//   [B, S, T]  per query row.
// ORT adds mask_filter_value (-10000) to excluded scores rather than -inf; the results agree
// except on rows that exclude every key, which come out as zeros here.
#include <string>

#include "runtime/core/tensor.h"
#include "runtime/ops/cpu/attention_core.h"

namespace onnxgen {

struct KeepMask {
  Tensor keep;  // bool [B, S or 1, T]
  AttentionMask view;
};

KeepMask key_keep_mask(const Tensor& mask, int64_t batch, int64_t q_len, int64_t total, const char* op);

// The masks com.microsoft Attention and MultiHeadAttention share, appended to `spec` (sized by its
// batch, q_heads, q_len and kv_len): the integer key mask above (`key_mask_label` names it in
// errors) and the additive attention_bias [B|1, N|1, S, T]. The result keeps their storage alive
// until attention has run.
struct ContribMasks {
  KeepMask key;
  Tensor bias;
};
ContribMasks add_contrib_masks(AttentionSpec& spec, const Tensor* key_mask, const char* key_mask_label,
                               const Tensor* attention_bias, const std::string& op);

}  // namespace onnxgen
