#include "runtime/ops/cpu/contrib_attention_mask.h"

#include <algorithm>

#include "runtime/ops/cpu/float_staging.h"

namespace onnxgen {

KeepMask key_keep_mask(const Tensor& mask, int64_t batch, int64_t q_len, int64_t total, const char* op) {
  ONNXGEN_CHECK(is_integer(mask.dtype()) || mask.dtype() == DataType::kBool, op, " mask must be integer, got ",
                mask.describe());
  const bool per_query = mask.rank() == 3;
  const int64_t rows = per_query ? q_len : 1;
  KeepMask out;
  out.keep = Tensor::zeros(DataType::kBool, {batch, rows, total});
  bool* keep = out.keep.data<bool>();
  if (mask.rank() == 1 && (mask.dim(0) == batch || mask.dim(0) == 2 * batch)) {
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t end = std::clamp<int64_t>(mask.to_int64(b), 0, total);
      const int64_t start = mask.dim(0) == 2 * batch ? std::clamp<int64_t>(mask.to_int64(batch + b), 0, end) : 0;
      std::fill(keep + b * total + start, keep + b * total + end, true);
    }
  } else if ((mask.rank() == 2 && mask.dim(0) == batch && mask.dim(1) == total) ||
             (per_query && mask.dim(0) == batch && mask.dim(1) == q_len && mask.dim(2) == total)) {
    for (int64_t i = 0; i < out.keep.numel(); ++i) keep[i] = mask.to_int64(i) != 0;
  } else {
    fail(op, " mask ", mask.describe(), " must be [", batch, "], [", 2 * batch, "], [", batch, ", ", total, "] or [",
         batch, ", ", q_len, ", ", total, "]");
  }
  out.view.keep = keep;
  out.view.batch_stride = rows * total;
  out.view.query_stride = per_query ? total : 0;
  out.view.width = total;
  return out;
}

ContribMasks add_contrib_masks(AttentionSpec& spec, const Tensor* key_mask, const char* key_mask_label,
                               const Tensor* attention_bias, const std::string& op) {
  ContribMasks m;
  if (key_mask) {
    m.key = key_keep_mask(*key_mask, spec.batch, spec.q_len, spec.kv_len, key_mask_label);
    spec.masks.push_back(m.key.view);
  }
  if (attention_bias) {
    ONNXGEN_CHECK(attention_bias->rank() == 4 && attention_bias->dim(3) == spec.kv_len, op,
                  " attention_bias must be [B|1, N|1, S, ", spec.kv_len, "], got ", attention_bias->describe());
    m.bias = to_float32(*attention_bias);
    AttentionMask bias = broadcast_mask(m.bias.shape(), spec.batch, spec.q_heads, spec.q_len,
                                        (op + " attention_bias").c_str());
    bias.additive = m.bias.data<float>();
    spec.masks.push_back(bias);
  }
  return m;
}

}  // namespace onnxgen
