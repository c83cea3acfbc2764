#include "runtime/ops/cpu/attention_core.h"

#include <algorithm>
#include <cmath>

#include "runtime/core/error.h"
#include "runtime/core/shape.h"
#include "runtime/core/simd.h"
#include "runtime/ops/cpu/dot.h"
#include "runtime/ops/cpu/float_staging.h"
#include "runtime/ops/cpu/vector_math.h"

namespace onnxgen {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// x[i] = e^(x[i] - max) in place, exactly 0 for excluded (-inf) keys even when V holds poison
// values there; returns the sum.
ONNXGEN_SIMD_CLONES
float exp_numerators(float* __restrict x, float max, int64_t n) {
  float acc[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; ++l) {
      const float e = x[i + l] == kNegInf ? 0.0f : exp_approx(x[i + l] - max);
      x[i + l] = e;
      acc[l] += e;
    }
  float sum = 0;
  for (; i < n; ++i) {
    x[i] = x[i] == kNegInf ? 0.0f : exp_approx(x[i] - max);
    sum += x[i];
  }
  for (float v : acc) sum += v;
  return sum;
}

ONNXGEN_SIMD_CLONES
void axpy(float alpha, const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

void validate(const AttentionSpec& s) {
  ONNXGEN_CHECK(s.batch >= 0 && s.q_len >= 0 && s.kv_len >= 0, "attention: negative batch or sequence length");
  ONNXGEN_CHECK(s.q_heads > 0 && s.kv_heads > 0 && s.q_heads % s.kv_heads == 0, "attention: ", s.q_heads,
                " query heads are not a multiple of ", s.kv_heads, " key/value heads");
  ONNXGEN_CHECK(s.head_size > 0 && s.v_head_size > 0, "attention: head sizes must be positive");
  ONNXGEN_CHECK(s.offsets.empty() || static_cast<int64_t>(s.offsets.size()) == s.batch,
                "attention: one position offset per batch expected");
  ONNXGEN_CHECK(s.key_lengths.empty() || static_cast<int64_t>(s.key_lengths.size()) == s.batch,
                "attention: one key length per batch expected");
  for (int64_t len : s.key_lengths)
    ONNXGEN_CHECK(len >= 0 && len <= s.kv_len, "attention: key length ", len, " outside [0, ", s.kv_len, "]");
  ONNXGEN_CHECK(s.left_window >= -1 && s.right_window >= -1, "attention: window sizes must be -1 or >= 0");
  ONNXGEN_CHECK(s.score_stage == ScoreStage::kNone || s.scores, "attention: score output requested without storage");
}

// One query row: scores into `row` (kv_len floats), then y = softmax(row) V.
struct RowJob {
  const AttentionSpec& s;
  const HeadsView &q, &k, &v, &y;

  void operator()(int64_t b, int64_t h, int64_t qi, float* row) const {
    const int64_t kvh = h / (s.q_heads / s.kv_heads);
    const int64_t pos = qi + (s.offsets.empty() ? 0 : s.offsets[static_cast<size_t>(b)]);
    // The visible key range before masks.
    int64_t hi = s.key_lengths.empty() ? s.kv_len : s.key_lengths[static_cast<size_t>(b)];
    if (s.causal) hi = std::min(hi, pos + 1);
    if (s.right_window >= 0) hi = std::min(hi, pos + s.right_window + 1);
    int64_t lo = s.left_window >= 0 ? std::max<int64_t>(0, pos - s.left_window) : 0;
    hi = std::max<int64_t>(hi, 0);
    lo = std::min(lo, hi);
    // Scores are computed for every key only when the caller wants them.
    float* out_scores = s.scores ? s.scores + ((b * s.q_heads + h) * s.q_len + qi) * s.kv_len : nullptr;
    const int64_t first = out_scores ? 0 : lo, last = out_scores ? s.kv_len : hi;

    const float* qrow = q.row(b, h, qi);
    for (int64_t j = first; j < last; ++j) {
      float score = dot(qrow, k.row(b, kvh, j), s.head_size) * s.scale;
      if (s.score_stage == ScoreStage::kRaw) out_scores[j] = score;
      if (s.softcap > 0) score = s.softcap * tanh_approx(score / s.softcap);
      if (s.score_stage == ScoreStage::kSoftcapped) out_scores[j] = score;
      row[j] = (j >= lo && j < hi) ? score : kNegInf;
    }
    for (const AttentionMask& m : s.masks) {
      const int64_t base = b * m.batch_stride + h * m.head_stride + qi * m.query_stride;
      for (int64_t j = first; j < last; ++j) {
        if (j >= m.width) row[j] = kNegInf;
        else if (m.keep) row[j] = m.keep[base + j] ? row[j] : kNegInf;
        else row[j] = m.additive[base + j] == kNegInf ? kNegInf : row[j] + m.additive[base + j];
      }
    }
    if (s.score_stage == ScoreStage::kBiased) std::copy(row + first, row + last, out_scores + first);

    float max = kNegInf;
    for (int64_t j = first; j < last; ++j) max = std::max(max, row[j]);
    float* yrow = y.row(b, h, qi);
    std::fill(yrow, yrow + s.v_head_size, 0.0f);
    if (max == kNegInf) {
      if (s.score_stage == ScoreStage::kProbabilities) std::fill(out_scores, out_scores + s.kv_len, 0.0f);
      return;
    }
    const float sink = s.head_sink ? s.head_sink[h] : 0.0f;
    const bool has_sink = s.head_sink || s.smooth_softmax;
    if (has_sink) max = std::max(max, sink);
    float sum = exp_numerators(row + first, max, last - first);
    if (has_sink) sum += exp_approx(sink - max);
    const float inv = 1.0f / sum;
    for (int64_t j = first; j < last; ++j) {
      const float p = row[j] * inv;
      row[j] = p;
      if (p != 0.0f) axpy(p, v.row(b, kvh, j), yrow, s.v_head_size);
    }
    if (s.score_stage == ScoreStage::kProbabilities) {
      std::fill(out_scores, out_scores + s.kv_len, 0.0f);
      std::copy(row + first, row + last, out_scores + first);
    }
  }
};

}  // namespace

void scaled_dot_product_attention(ThreadPool& pool, const AttentionSpec& s, const HeadsView& q, const HeadsView& k,
                                  const HeadsView& v, const HeadsView& y) {
  validate(s);
  const int64_t rows = s.batch * s.q_heads * s.q_len;
  if (rows == 0) return;
  const RowJob job{s, q, k, v, y};
  const int64_t work_per_row = std::max<int64_t>(1, s.kv_len * (s.head_size + s.v_head_size));
  pool.parallel_for(rows, std::max<int64_t>(1, 32768 / work_per_row), [&](int64_t begin, int64_t end) {
    std::vector<float> row(static_cast<size_t>(std::max<int64_t>(s.kv_len, 1)));
    for (int64_t r = begin; r < end; ++r) {
      const int64_t qi = r % s.q_len, bh = r / s.q_len;
      job(bh / s.q_heads, bh % s.q_heads, qi, row.data());
    }
  });
}

void copy_heads(const HeadsView& src, const HeadsView& dst, int64_t batch, int64_t heads, int64_t seq, int64_t dim) {
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t s = 0; s < seq; ++s) std::copy_n(src.row(b, h, s), dim, dst.row(b, h, s));
}

Tensor append_to_cache(const Tensor* past, const HeadsView& fresh, int64_t batch, int64_t heads, int64_t len,
                       int64_t dim, const char* what) {
  int64_t p = 0;
  Tensor past_f;
  if (past) {
    ONNXGEN_CHECK(is_float(past->dtype()) && past->rank() == 4 && past->dim(0) == batch && past->dim(1) == heads &&
                      past->dim(3) == dim,
                  what, " must be a float [", batch, ", ", heads, ", past, ", dim, "] tensor, got ", past->describe());
    p = past->dim(2);
    past_f = to_float32(*past);
  }
  Tensor out = Tensor::empty(DataType::kFloat, {batch, heads, p + len, dim});
  const HeadsView dst = HeadsView::bnsh(out.data<float>(), heads, p + len, dim);
  if (p) copy_heads(HeadsView::bnsh(past_f.data<float>(), heads, p, dim), dst, batch, heads, p, dim);
  HeadsView tail = dst;
  tail.data = dst.row(0, 0, p);
  copy_heads(fresh, tail, batch, heads, len, dim);
  return out;
}

AttentionMask broadcast_mask(const Shape& shape, int64_t batch, int64_t heads, int64_t q_len,
                             const char* what) {
  const size_t rank = shape.size();
  ONNXGEN_CHECK(rank >= 1 && rank <= 4, what, " must have rank 1 to 4, got ", to_string(shape));
  // Target dims for the mask's leading axes, aligned on the right.
  const int64_t target[3] = {batch, heads, q_len};
  int64_t strides[3] = {0, 0, 0};
  int64_t stride = shape[rank - 1];
  for (size_t i = 1; i < rank; ++i) {
    const int64_t dim = shape[rank - 1 - i];
    const size_t axis = 3 - i;
    ONNXGEN_CHECK(dim == 1 || dim == target[axis], what, " of shape ", to_string(shape),
                  " does not broadcast to [", batch, ", ", heads, ", ", q_len, ", keys]");
    strides[axis] = dim == 1 ? 0 : stride;
    stride *= dim;
  }
  AttentionMask m;
  m.batch_stride = strides[0];
  m.head_stride = strides[1];
  m.query_stride = strides[2];
  m.width = shape[rank - 1];
  return m;
}

}  // namespace onnxgen
