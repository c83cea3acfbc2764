#pragma once
// The input contract of com.microsoft GroupQueryAttention, checked the same way by the CPU and
// CUDA kernels.
#include <cstdint>

#include "runtime/core/tensor.h"
#include "runtime/exec/kernel.h"

namespace onnxgen {

// The attributes both kernels read. Kernels inherit them, so their code names them as members.
struct GqaAttrs {
  explicit GqaAttrs(const KernelInit& init) {
    const auto& a = init.attrs();
    num_heads_ = a.get_int("num_heads");
    kv_num_heads_ = a.get_int("kv_num_heads");
    ONNXGEN_CHECK(num_heads_ > 0 && kv_num_heads_ > 0 && num_heads_ % kv_num_heads_ == 0,
                  "GroupQueryAttention num_heads ", num_heads_, " must be a positive multiple of kv_num_heads ",
                  kv_num_heads_);
    scale_ = a.get_float("scale", 0);
    softcap_ = a.get_float("softcap", 0);
    local_window_ = a.get_int("local_window_size", -1);
    do_rotary_ = a.get_int("do_rotary", 0) != 0;
    interleaved_ = a.get_int("rotary_interleaved", 0) != 0;
    smooth_softmax_ = a.get_int("smooth_softmax", 0) != 0;
    sliding_cache_ = a.get_int("sliding_window_cache", 0) != 0;
    ONNXGEN_CHECK(!sliding_cache_ || local_window_ > 0,
                  "GroupQueryAttention sliding_window_cache=1 needs local_window_size > 0, got ", local_window_);
  }

  // Rows a sliding_window_cache buffer of `capacity` holds after `tokens` tokens (see
  // ops/cpu/group_query_attention.cc).
  int64_t window_fill(int64_t tokens, int64_t capacity) const {
    return tokens < local_window_ ? tokens : local_window_ + (tokens - local_window_) % (capacity - local_window_ + 1);
  }

  int64_t num_heads_ = 0, kv_num_heads_ = 0;
  float scale_ = 0, softcap_ = 0;
  int64_t local_window_ = -1;
  bool do_rotary_ = false, interleaved_ = false, smooth_softmax_ = false, sliding_cache_ = false;
};

struct GqaInputs {
  int64_t batch, seq, head, total_len;
  bool packed;         // query holds Q, K and V
  int64_t past_cap;    // rows of the past buffers (0 without past)
  DataType cache_type; // the past's dtype, or the query's without past
  bool first_prompt;   // no token precedes this run
};

inline GqaInputs check_gqa_inputs(const Tensor& query, const Tensor* key, const Tensor* value, const Tensor* past_k,
                                  const Tensor* past_v, const Tensor& seqlens, const Tensor& total_len_in, int64_t n,
                                  int64_t kvn, bool sliding_cache, int64_t local_window) {
  ONNXGEN_CHECK(is_float(query.dtype()) && query.rank() == 3, "GroupQueryAttention query must be a 3-D float tensor, got ",
                query.describe());
  ONNXGEN_CHECK(!key == !value, "GroupQueryAttention key and value must be given together");
  ONNXGEN_CHECK(!past_k == !past_v, "GroupQueryAttention past_key and past_value must be given together");
  GqaInputs g{};
  g.batch = query.dim(0);
  g.seq = query.dim(1);
  g.packed = key == nullptr;
  g.head = g.packed ? query.dim(2) / (n + 2 * kvn) : query.dim(2) / n;
  ONNXGEN_CHECK(g.head > 0 && query.dim(2) == g.head * (g.packed ? n + 2 * kvn : n), "GroupQueryAttention query width ",
                query.dim(2), " does not split into ", n, g.packed ? " + 2 * kv" : "", " heads");
  if (!g.packed)
    for (const Tensor* t : {key, value})
      ONNXGEN_CHECK(t->dtype() == query.dtype() && t->rank() == 3 && t->dim(0) == g.batch && t->dim(1) == g.seq &&
                        t->dim(2) == kvn * g.head,
                    "GroupQueryAttention key/value must be [", g.batch, ", ", g.seq, ", ", kvn * g.head, "], got ",
                    t->describe());
  ONNXGEN_CHECK(seqlens.dtype() == DataType::kInt32 && seqlens.numel() == g.batch,
                "GroupQueryAttention seqlens_k must be int32 [", g.batch, "], got ", seqlens.describe());
  ONNXGEN_CHECK(total_len_in.numel() == 1 && total_len_in.dtype() == DataType::kInt32,
                "GroupQueryAttention total_sequence_length must be an int32 scalar, got ", total_len_in.describe());
  g.total_len = total_len_in.to_int64(0);
  g.cache_type = query.dtype();
  if (past_k) {
    for (const Tensor* t : {past_k, past_v})
      ONNXGEN_CHECK(is_float(t->dtype()) && t->rank() == 4 && t->dim(0) == g.batch && t->dim(1) == kvn &&
                        t->dim(3) == g.head && t->shape() == past_k->shape() && t->dtype() == past_k->dtype(),
                    "GroupQueryAttention past_key/past_value must be [", g.batch, ", ", kvn, ", past, ", g.head,
                    "], got ", t->describe());
    g.past_cap = past_k->dim(2);
    g.cache_type = past_k->dtype();
  }
  if (sliding_cache)
    ONNXGEN_CHECK(g.past_cap >= local_window, "GroupQueryAttention sliding_window_cache=1 needs a past of at least ",
                  local_window, " rows (local_window_size), got ", g.past_cap);
  g.first_prompt = g.seq == g.total_len;
  return g;
}

}  // namespace onnxgen
