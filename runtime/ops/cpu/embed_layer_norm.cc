// com.microsoft EmbedLayerNormalization, the BERT/GPT-2 embedding block of
// onnxruntime.transformers exports: sum = word[input_ids] + position[position_ids or s]
// (+ segment[segment_ids]), output = LayerNorm(sum) * gamma + beta. Also outputs mask_index, the
// count of ones per row of `mask` (zeros without a mask), and optionally the sum itself.
#include <algorithm>
#include <vector>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/float_staging.h"
#include "runtime/ops/cpu/row_norm.h"

namespace onnxgen {
namespace {

class EmbedLayerNorm : public OpKernel {
 public:
  explicit EmbedLayerNorm(const KernelInit& init) {
    epsilon_ = init.attrs().get_float("epsilon", 1e-12f);
    ONNXGEN_CHECK(epsilon_ >= 0, "EmbedLayerNormalization epsilon must be >= 0, got ", epsilon_);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& ids = ctx.required(0);
    const Tensor* segment_ids = ctx.input(1);
    const Tensor& word = ctx.required(2);
    const Tensor& position = ctx.required(3);
    const Tensor* segment = ctx.input(4);
    const Tensor* mask = ctx.input(7);
    const Tensor* position_ids = ctx.input(8);
    ONNXGEN_CHECK(ids.rank() == 2 && is_integer(ids.dtype()), "EmbedLayerNormalization input_ids must be integer [B, S], got ",
                  ids.describe());
    ONNXGEN_CHECK(is_float(word.dtype()) && word.rank() == 2, "EmbedLayerNormalization word_embedding must be a float [V, H], got ",
                  word.describe());
    const int64_t batch = ids.dim(0), seq = ids.dim(1), hidden = word.dim(1);
    ONNXGEN_CHECK(position.dtype() == word.dtype() && position.rank() == 2 && position.dim(1) == hidden,
                  "EmbedLayerNormalization position_embedding must be [P, ", hidden, "], got ", position.describe());
    ONNXGEN_CHECK(!segment_ids == !segment, "EmbedLayerNormalization segment_ids and segment_embedding go together");
    if (segment)
      ONNXGEN_CHECK(segment->dtype() == word.dtype() && segment->rank() == 2 && segment->dim(1) == hidden &&
                        segment_ids->shape() == ids.shape(),
                    "EmbedLayerNormalization segment_embedding must be [G, ", hidden, "] with ids like input_ids");
    if (position_ids)
      ONNXGEN_CHECK(position_ids->rank() == 2 && position_ids->dim(1) == seq &&
                        (position_ids->dim(0) == batch || position_ids->dim(0) == 1),
                    "EmbedLayerNormalization position_ids must be [B or 1, ", seq, "], got ", position_ids->describe());
    const std::vector<float> gamma = parameter(ctx.required(5), hidden, "gamma");
    const std::vector<float> beta = parameter(ctx.required(6), hidden, "beta");

    // Validate every index before any work.
    std::vector<int64_t> word_rows(static_cast<size_t>(batch * seq)), pos_rows(word_rows.size()), seg_rows;
    for (int64_t i = 0; i < batch * seq; ++i) {
      word_rows[static_cast<size_t>(i)] = checked(ids.to_int64(i), word.dim(0), "input_ids");
      const int64_t s = i % seq;
      const int64_t p = position_ids ? position_ids->to_int64(position_ids->dim(0) == 1 ? s : i) : s;
      pos_rows[static_cast<size_t>(i)] = checked(p, position.dim(0), "position_ids");
      if (segment) seg_rows.push_back(checked(segment_ids->to_int64(i), segment->dim(0), "segment_ids"));
    }

    Tensor& out = ctx.allocate(0, word.dtype(), {batch, seq, hidden});
    const Tensor* sum_out = ctx.output_wanted(2) ? &ctx.allocate(2, word.dtype(), {batch, seq, hidden}) : nullptr;
    ctx.pool().parallel_for(batch * seq, std::max<int64_t>(1, 4096 / std::max<int64_t>(hidden, 1)), [&](int64_t begin, int64_t end) {
      std::vector<float> sum(static_cast<size_t>(hidden)), part(static_cast<size_t>(hidden));
      for (int64_t i = begin; i < end; ++i) {
        load_float32(word, word_rows[static_cast<size_t>(i)] * hidden, hidden, sum.data());
        load_float32(position, pos_rows[static_cast<size_t>(i)] * hidden, hidden, part.data());
        for (int64_t h = 0; h < hidden; ++h) sum[static_cast<size_t>(h)] += part[static_cast<size_t>(h)];
        if (segment) {
          load_float32(*segment, seg_rows[static_cast<size_t>(i)] * hidden, hidden, part.data());
          for (int64_t h = 0; h < hidden; ++h) sum[static_cast<size_t>(h)] += part[static_cast<size_t>(h)];
        }
        if (sum_out) store_float32(sum.data(), hidden, *sum_out, i * hidden);
        normalize_row(sum.data(), part.data(), hidden, epsilon_, false, gamma.data(), beta.data());
        store_float32(part.data(), hidden, out, i * hidden);
      }
    });

    if (ctx.output_wanted(1)) {
      int32_t* mask_index = ctx.allocate(1, DataType::kInt32, {batch}).data<int32_t>();
      std::fill(mask_index, mask_index + batch, 0);
      if (mask) {
        ONNXGEN_CHECK(mask->shape() == ids.shape(), "EmbedLayerNormalization mask must be [", batch, ", ", seq, "], got ",
                      mask->describe());
        for (int64_t i = 0; i < batch * seq; ++i) mask_index[i / seq] += mask->to_int64(i) == 1;
      }
    }
  }

 private:
  static std::vector<float> parameter(const Tensor& t, int64_t hidden, const char* name) {
    ONNXGEN_CHECK(is_float(t.dtype()) && t.numel() == hidden, "EmbedLayerNormalization ", name, " must hold ", hidden,
                  " floats, got ", t.describe());
    std::vector<float> v(static_cast<size_t>(hidden));
    load_float32(t, 0, hidden, v.data());
    return v;
  }
  static int64_t checked(int64_t index, int64_t rows, const char* what) {
    ONNXGEN_CHECK(index >= 0 && index < rows, "EmbedLayerNormalization ", what, " value ", index, " outside [0, ", rows, ")");
    return index;
  }

  float epsilon_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.microsoft", "EmbedLayerNormalization", 1, ONNXGEN_LATEST, EmbedLayerNorm);

}  // namespace onnxgen
