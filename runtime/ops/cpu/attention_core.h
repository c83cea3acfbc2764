#pragma once
// Scaled dot-product attention shared by every attention op (ONNX Attention, com.microsoft
// GroupQueryAttention, MultiHeadAttention and Attention) and meant for PagedAttention later:
// softmax(softcap(scale * Q K^T) + masks) V in float32, over views whose layout each op chooses.
//
// Every query row sees the keys j that pass all of: j < key_length[b]; j <= pos when causal;
// pos - left_window <= j <= pos + right_window for each bound >= 0, where pos = s + offset[b] is
// the query's absolute position. Masks exclude more (boolean) or add to the score (float; -inf
// excludes). A row that sees no key outputs zeros, as ONNX Attention specifies.
#include <cstdint>
#include <limits>
#include <vector>

#include "runtime/core/tensor.h"
#include "runtime/core/thread_pool.h"

namespace onnxgen {

// A [batch, heads, seq, dim] float32 view whose rows of `dim` are contiguous and whose other axes
// are strided, so [B, S, N*D] activations and [B, N, S, D] caches are both views without a copy.
struct HeadsView {
  float* data = nullptr;
  int64_t batch_stride = 0, head_stride = 0, seq_stride = 0;

  float* row(int64_t b, int64_t h, int64_t s) const { return data + b * batch_stride + h * head_stride + s * seq_stride; }
  // Dense [B, N, S, D].
  static HeadsView bnsh(float* data, int64_t heads, int64_t seq, int64_t dim) {
    return {data, heads * seq * dim, seq * dim, dim};
  }
  // Dense [B, S, N*D], or heads at a column offset inside wider rows of `row_width` floats (packed QKV).
  static HeadsView bsnh(float* data, int64_t heads, int64_t seq, int64_t dim, int64_t row_width = 0) {
    const int64_t width = row_width ? row_width : heads * dim;
    return {data, seq * width, dim, width};
  }
};

// A mask broadcast over [batch, heads, query, key]: broadcast axes have stride 0, keys are
// contiguous, and keys at or beyond `width` are excluded (ONNX pads short masks with -inf).
struct AttentionMask {
  const float* additive = nullptr;  // added to the score; -inf excludes
  const bool* keep = nullptr;       // false excludes
  int64_t batch_stride = 0, head_stride = 0, query_stride = 0, width = 0;
};

// What the optional per-row score output holds (ONNX Attention qk_matmul_output_mode 0..3).
enum class ScoreStage { kNone = -1, kRaw = 0, kSoftcapped = 1, kBiased = 2, kProbabilities = 3 };

struct AttentionSpec {
  int64_t batch = 0, q_heads = 0, kv_heads = 0;
  int64_t q_len = 0, kv_len = 0;
  int64_t head_size = 0, v_head_size = 0;
  float scale = 1;
  float softcap = 0;  // > 0: score = softcap * tanh(score / softcap), before masks
  bool causal = false;
  int64_t left_window = -1, right_window = -1;
  std::vector<int64_t> offsets;      // per batch, absolute position of query 0; empty: all 0
  std::vector<int64_t> key_lengths;  // per batch; empty: kv_len
  std::vector<AttentionMask> masks;
  const float* head_sink = nullptr;  // per query head, an extra logit in the softmax denominator
  bool smooth_softmax = false;       // an extra logit 0 in the denominator
  float* scores = nullptr;           // dense [batch, q_heads, q_len, kv_len] at `score_stage`
  ScoreStage score_stage = ScoreStage::kNone;
};

// Query head h reads KV head h / (q_heads / kv_heads). Validates the spec, then computes y.
void scaled_dot_product_attention(ThreadPool& pool, const AttentionSpec& spec, const HeadsView& q, const HeadsView& k,
                                  const HeadsView& v, const HeadsView& y);

// Copies seq rows of dim floats for every (batch, head) from src to dst (KV concatenation, layout
// changes between [B, S, N*D] and [B, N, S, D]).
void copy_heads(const HeadsView& src, const HeadsView& dst, int64_t batch, int64_t heads, int64_t seq, int64_t dim);

// The KV cache after this step as float32 [B, heads, P + len, dim]: past's P rows (past may be
// null; else a float [B, heads, P, dim] tensor, checked, `what` naming it in errors), then fresh's.
Tensor append_to_cache(const Tensor* past, const HeadsView& fresh, int64_t batch, int64_t heads, int64_t len,
                       int64_t dim, const char* what);

// A mask tensor's strides for broadcasting its trailing dims against [batch, heads, q_len, keys]:
// rank 1 to 4, each leading dim 1 or the target's. Throws naming `what` when it does not broadcast.
AttentionMask broadcast_mask(const Shape& shape, int64_t batch, int64_t heads, int64_t q_len,
                             const char* what);

}  // namespace onnxgen
