#pragma once
// ONNX Runtime's integer key masks (com.microsoft Attention mask_index, MultiHeadAttention
// key_padding_mask) turned into a boolean keep-mask for attention_core:
//   [B]        keys j < mask[b] are kept (right padding);
//   [2B]       keys mask[B + b] <= j < mask[b] are kept (left and right padding);
//   [B, T]     keys with mask[b, j] != 0 are kept;
//   [B, S, T]  per query row.
// ORT adds mask_filter_value (-10000) to excluded scores rather than -inf; the results agree
// except on rows that exclude every key, which come out as zeros here.
#include "runtime/core/tensor.h"
#include "runtime/ops/cpu/attention_core.h"

namespace onnxgen {

struct KeepMask {
  Tensor keep;  // bool [B, S or 1, T]
  AttentionMask view;
};

KeepMask key_keep_mask(const Tensor& mask, int64_t batch, int64_t q_len, int64_t total, const char* op);

}  // namespace onnxgen
