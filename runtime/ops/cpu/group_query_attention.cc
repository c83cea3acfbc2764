// com.microsoft GroupQueryAttention, the attention of onnxruntime-genai's exports. Q/K/V come
// separate ([B, S, N*H], [B, S, kvN*H]) or packed in `query` ([B, S, (N + 2 kvN) * H]); the
// cache is [B, kvN, past, H] in the query's type or float16/float32. Per batch b, seqlens_k[b] + 1
// keys are valid after this step: a first prompt (S == total_sequence_length) starts at position
// 0, later steps append the S new tokens after seqlens_k[b] + 1 - S past ones. Attention is
// causal, optionally within the last local_window_size keys, with softcap, an additive
// attention_bias, per-head sinks or smooth softmax, and rotary embedding of Q and K (do_rotary).
//
// sliding_window_cache=1 (onnxruntime-genai's sliding-window layers) makes past and present a
// buffer of the past's capacity C >= local_window_size W holding only recent keys, oldest first
// from slot 0; seqlens_k still counts absolute positions. Measured against ONNX Runtime 1.32, after
// T tokens the buffer holds fill(T) = T for T < W, else W + (T - W) % (C - W + 1): it fills up to
// C, then keeps only the last W and fills again. A step reads the first fill(past) slots, appends
// its S tokens, attends within the window and writes the last fill(past + S) of those to present
// (slots beyond are unspecified in ORT; zeros here).
#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/group_query_attention_inputs.h"
#include "runtime/ops/cpu/attention_core.h"
#include "runtime/ops/cpu/float_staging.h"
#include "runtime/ops/cpu/rotary.h"

namespace onnxgen {
namespace {

class GroupQueryAttention : public OpKernel, private GqaAttrs {
 public:
  explicit GroupQueryAttention(const KernelInit& init) : GqaAttrs(init) {
    const auto& a = init.attrs();
    const int64_t qk = a.get_int("qk_output", 0);
    ONNXGEN_CHECK(qk >= 0 && qk <= 2, "GroupQueryAttention qk_output must be 0, 1 or 2, got ", qk);
    qk_stage_ = qk == 0 ? ScoreStage::kNone : qk == 1 ? ScoreStage::kBiased : ScoreStage::kProbabilities;
  }

  void compute(KernelContext& ctx) override {
    const Tensor& query = ctx.required(0);
    const Tensor* key = ctx.input(1);
    const Tensor* value = ctx.input(2);
    const Tensor* past_k = ctx.input(3);
    const Tensor* past_v = ctx.input(4);
    const Tensor& seqlens = ctx.required(5);
    const Tensor& total_len_in = ctx.required(6);
    const int64_t n = num_heads_, kvn = kv_num_heads_;
    const GqaInputs in = check_gqa_inputs(query, key, value, past_k, past_v, seqlens, total_len_in, n, kvn,
                                          sliding_cache_, local_window_);
    const int64_t batch = in.batch, seq = in.seq, head = in.head, total_len = in.total_len, past_cap = in.past_cap;
    const bool packed = in.packed, first_prompt = in.first_prompt;
    const DataType cache_type = in.cache_type;

    // Per batch: the absolute position of the first new token and, in the working cache (the past
    // rows kept, then the new tokens), where the new tokens start and how many rows are valid.
    // Without sliding_window_cache the working cache is the present and rows are positions.
    std::vector<int64_t> positions(static_cast<size_t>(batch)), valid(positions), starts(positions);
    int64_t work_len = sliding_cache_ ? 0 : std::max(total_len, past_cap);
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t len = seqlens.to_int64(b) + 1;
      const int64_t position = first_prompt ? 0 : len - seq;
      const int64_t start = sliding_cache_ ? window_fill(position, past_cap) : position;
      ONNXGEN_CHECK(len >= 1 && position >= 0 && start <= past_cap &&
                        (sliding_cache_ ? len - position <= seq : len <= work_len && start + seq <= work_len),
                    "GroupQueryAttention seqlens_k[", b, "] = ", len - 1, " is inconsistent with sequence length ", seq,
                    ", past length ", past_cap, " and total_sequence_length ", total_len);
      positions[static_cast<size_t>(b)] = position;
      starts[static_cast<size_t>(b)] = start;
      valid[static_cast<size_t>(b)] = start + len - position;
      if (sliding_cache_) work_len = std::max(work_len, start + seq);
    }

    // Float32 working copies: Q (rotated in place when do_rotary) and the whole working cache.
    const int64_t qkv_width = packed ? query.dim(2) : n * head;
    Tensor q = do_rotary_ ? to_float32(query).clone() : to_float32(query);
    const HeadsView qv = HeadsView::bsnh(q.data<float>(), n, seq, head, qkv_width);
    Tensor kf = packed ? q : to_float32(*key);
    Tensor vf = packed ? q : to_float32(*value);
    const int64_t kv_width = packed ? qkv_width : kvn * head;
    HeadsView new_k = HeadsView::bsnh(kf.data<float>(), kvn, seq, head, kv_width);
    HeadsView new_v = HeadsView::bsnh(vf.data<float>(), kvn, seq, head, kv_width);
    if (packed) {
      new_k.data += n * head;
      new_v.data += (n + kvn) * head;
    }
    Tensor work_k = build_cache(past_k, new_k, starts, batch, seq, work_len, head);
    Tensor work_v = build_cache(past_v, new_v, starts, batch, seq, work_len, head);
    const HeadsView kv = HeadsView::bnsh(work_k.data<float>(), kvn, work_len, head);
    const HeadsView vv = HeadsView::bnsh(work_v.data<float>(), kvn, work_len, head);
    if (do_rotary_) rotate(ctx, qv, kv, positions, starts, batch, seq, head);

    AttentionSpec s;
    s.batch = batch;
    s.q_heads = n;
    s.kv_heads = kvn;
    s.q_len = seq;
    s.kv_len = work_len;
    s.head_size = s.v_head_size = head;
    s.scale = scale_ != 0 ? scale_ : 1.0f / std::sqrt(static_cast<float>(head));
    s.softcap = softcap_;
    s.causal = true;
    // ORT's window holds local_window_size keys, the query's own included. Working-cache rows and
    // absolute positions differ by a per-batch constant, so causality and the window hold in rows.
    s.left_window = local_window_ > 0 ? local_window_ - 1 : -1;
    s.offsets = starts;
    s.key_lengths = valid;
    s.smooth_softmax = smooth_softmax_;
    Tensor bias, sink;
    if (const Tensor* ab = ctx.input(10)) {
      ONNXGEN_CHECK(ab->dtype() == query.dtype(), "GroupQueryAttention attention_bias must have the query's type");
      ONNXGEN_CHECK(!sliding_cache_, "GroupQueryAttention attention_bias with sliding_window_cache=1 is not supported");
      bias = to_float32(*ab);
      AttentionMask m = broadcast_mask(bias.shape(), batch, n, seq, "GroupQueryAttention attention_bias");
      ONNXGEN_CHECK(bias.rank() == 4 && m.width == total_len, "GroupQueryAttention attention_bias must be 4-D with ",
                    total_len, " keys, got ", ab->describe());
      m.additive = bias.data<float>();
      s.masks.push_back(m);
    }
    if (const Tensor* hs = ctx.input(11)) {
      ONNXGEN_CHECK(hs->numel() == n && is_float(hs->dtype()), "GroupQueryAttention head_sink must have ", n,
                    " values, got ", hs->describe());
      sink = to_float32(*hs);
      s.head_sink = sink.data<float>();
    }
    Tensor scores;
    if (qk_stage_ != ScoreStage::kNone && ctx.output_wanted(3)) {
      scores = Tensor::zeros(DataType::kFloat, {batch, n, seq, work_len});
      s.scores = scores.data<float>();
      s.score_stage = qk_stage_;
    }

    Tensor& y_out = ctx.allocate(0, query.dtype(), {batch, seq, n * head});
    const Tensor y = float_workspace(y_out);
    scaled_dot_product_attention(ctx.pool(), s, qv, kv, vv, HeadsView::bsnh(y.data<float>(), n, seq, head));
    finish_float_output(y, y_out);
    if (sliding_cache_) {
      work_k = keep_window(work_k, positions, starts, valid, past_cap, head);
      work_v = keep_window(work_v, positions, starts, valid, past_cap, head);
    }
    set_float_output(ctx, 1, work_k, cache_type);
    set_float_output(ctx, 2, work_v, cache_type);
    if (scores.defined()) set_float_output(ctx, 3, scores, query.dtype());
  }

 private:
  // The sliding_window_cache present [B, kvN, capacity, H]: per batch, the last rows of the working
  // cache that the buffer holds after this step, from slot 0.
  Tensor keep_window(const Tensor& work, const std::vector<int64_t>& positions, const std::vector<int64_t>& starts,
                     const std::vector<int64_t>& valid, int64_t capacity, int64_t head) const {
    const int64_t kvn = kv_num_heads_, work_len = work.dim(2);
    Tensor out = Tensor::zeros(DataType::kFloat, {work.dim(0), kvn, capacity, head});
    const HeadsView src = HeadsView::bnsh(work.data<float>(), kvn, work_len, head);
    const HeadsView dst = HeadsView::bnsh(out.data<float>(), kvn, capacity, head);
    for (int64_t b = 0; b < work.dim(0); ++b) {
      const size_t i = static_cast<size_t>(b);
      // valid[i] - starts[i] tokens (the new ones, less a padded prompt's padding) follow positions[i].
      const int64_t kept = window_fill(positions[i] + valid[i] - starts[i], capacity);
      HeadsView from = src, to = dst;
      from.data = src.row(b, 0, valid[i] - kept);
      to.data = dst.row(b, 0, 0);
      copy_heads(from, to, 1, kvn, kept, head);
    }
    return out;
  }

  // [B, kvN, rows, H]: the past buffer's first starts[b] rows, then the new tokens.
  Tensor build_cache(const Tensor* past, const HeadsView& fresh, const std::vector<int64_t>& starts, int64_t batch,
                     int64_t seq, int64_t rows, int64_t head) const {
    const int64_t kvn = kv_num_heads_;
    Tensor out = Tensor::zeros(DataType::kFloat, {batch, kvn, rows, head});
    const HeadsView dst = HeadsView::bnsh(out.data<float>(), kvn, rows, head);
    if (past) {
      const int64_t cap = past->dim(2);
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t h = 0; h < kvn; ++h)
          load_float32(*past, ((b * kvn + h) * cap) * head, starts[static_cast<size_t>(b)] * head, dst.row(b, h, 0));
    }
    for (int64_t b = 0; b < batch; ++b) {
      HeadsView src = fresh, to = dst;
      src.data = fresh.row(b, 0, 0);
      to.data = dst.row(b, 0, starts[static_cast<size_t>(b)]);
      copy_heads(src, to, 1, kvn, seq, head);
    }
    return out;
  }

  // Rotates the new tokens of q and k (k's start at rows starts[b]) by their absolute positions,
  // positions[b] onwards unless position_ids gives them.
  void rotate(KernelContext& ctx, const HeadsView& q, const HeadsView& k, const std::vector<int64_t>& positions,
              const std::vector<int64_t>& starts, int64_t batch, int64_t seq, int64_t head) const {
    const Tensor* cos_in = ctx.input(7);
    const Tensor* sin_in = ctx.input(8);
    ONNXGEN_CHECK(cos_in && sin_in, "GroupQueryAttention do_rotary needs cos_cache and sin_cache");
    ONNXGEN_CHECK(cos_in->rank() == 2 && cos_in->shape() == sin_in->shape() && is_float(cos_in->dtype()),
                  "GroupQueryAttention cos_cache/sin_cache must be [max_position, rotary_dim / 2], got ",
                  cos_in->describe(), " and ", sin_in->describe());
    const int64_t half = cos_in->dim(1), rot = 2 * half;
    ONNXGEN_CHECK(rot > 0 && rot <= head, "GroupQueryAttention rotary dim ", rot, " exceeds the head size ", head);
    const Tensor* ids = ctx.input(9);
    if (ids)
      ONNXGEN_CHECK(ids->numel() == batch * seq && !is_float(ids->dtype()), "GroupQueryAttention position_ids must be [",
                    batch, ", ", seq, "], got ", ids->describe());
    // A rotated head, then the cos and sin rows of its position: only those rows are converted,
    // as fp16 caches span the whole context (Qwen2.5's: 32768 rows).
    std::vector<float> tmp(static_cast<size_t>(head + 2 * half));
    float* const c = tmp.data() + head;
    float* const sn = c + half;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t si = 0; si < seq; ++si) {
        const int64_t start = starts[static_cast<size_t>(b)];
        const int64_t pos = ids ? ids->to_int64(b * seq + si) : positions[static_cast<size_t>(b)] + si;
        ONNXGEN_CHECK(pos >= 0 && pos < cos_in->dim(0), "GroupQueryAttention position ", pos,
                      " outside the rotary cache of ", cos_in->dim(0), " rows");
        load_float32(*cos_in, pos * half, half, c);
        load_float32(*sin_in, pos * half, half, sn);
        for (int64_t h = 0; h < num_heads_; ++h) {
          float* row = q.row(b, h, si);
          rotate_head(row, tmp.data(), c, sn, rot, head, interleaved_);
          std::copy_n(tmp.data(), head, row);
        }
        for (int64_t h = 0; h < kv_num_heads_; ++h) {
          float* row = k.row(b, h, start + si);
          rotate_head(row, tmp.data(), c, sn, rot, head, interleaved_);
          std::copy_n(tmp.data(), head, row);
        }
      }
  }

  ScoreStage qk_stage_ = ScoreStage::kNone;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.microsoft", "GroupQueryAttention", 1, ONNXGEN_LATEST, GroupQueryAttention);

}  // namespace onnxgen
