// com.microsoft SkipLayerNormalization and SkipSimplifiedLayerNormalization: the residual add
// fused with the next normalisation. sum = input + skip (+ bias) over the last axis, then layer
// norm (gamma, beta) or RMS norm (gamma) of sum. Optional outputs: mean and inverse std per row
// (float32) and sum itself, which the next residual add reads.
#include <algorithm>
#include <span>

#include "runtime/core/scratch.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/float_staging.h"
#include "runtime/ops/cpu/row_norm.h"

namespace onnxgen {
namespace {

// A [hidden] parameter as floats (float32 ones in place, others staged in Tag's scratch), or empty
// when omitted.
template <class Tag>
std::span<const float> vector_input(const Tensor* t, int64_t hidden, const char* name) {
  if (!t) return {};
  ONNXGEN_CHECK(t->numel() == hidden && is_float(t->dtype()), "SkipLayerNormalization ", name,
                " must have ", hidden, " float values, got ", t->describe());
  if (t->dtype() == DataType::kFloat) return {t->data<float>(), static_cast<size_t>(hidden)};
  const std::span<float> v = thread_scratch<float, Tag>(static_cast<size_t>(hidden));
  load_float32(*t, 0, hidden, v.data());
  return v;
}

template <bool kSimplified>
class SkipLayerNorm : public OpKernel {
 public:
  explicit SkipLayerNorm(const KernelInit& init) {
    epsilon_ = init.attrs().get_float("epsilon", 1e-12f);
    ONNXGEN_CHECK(epsilon_ >= 0, "SkipLayerNormalization epsilon must be >= 0, got ", epsilon_);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& skip = ctx.required(1);
    ONNXGEN_CHECK(is_float(x.dtype()) && x.rank() >= 1, "SkipLayerNormalization input must be a float tensor, got ",
                  x.describe());
    ONNXGEN_CHECK(skip.dtype() == x.dtype(), "SkipLayerNormalization skip must have the input's type");
    const int64_t hidden = x.dim(x.rank() - 1);
    const int64_t rows = hidden ? x.numel() / hidden : 0;
    ONNXGEN_CHECK(skip.rank() >= 1 && skip.dim(skip.rank() - 1) == hidden, "SkipLayerNormalization skip ",
                  skip.describe(), " must end in the hidden size ", hidden);
    // skip may omit leading dims ([S, H] or [1, S, H] against [B, S, H]): its rows repeat.
    const int64_t skip_rows = hidden ? skip.numel() / hidden : 0;
    ONNXGEN_CHECK(skip_rows > 0 ? rows % skip_rows == 0 : rows == 0, "SkipLayerNormalization skip ", skip.describe(),
                  " does not broadcast to input ", x.describe());
    const std::span<const float> gamma = vector_input<struct Gamma>(&ctx.required(2), hidden, "gamma");
    const std::span<const float> beta =
        kSimplified ? std::span<const float>{} : vector_input<struct Beta>(ctx.input(3), hidden, "beta");
    const std::span<const float> bias = vector_input<struct Bias>(ctx.input(kSimplified ? 3 : 4), hidden, "bias");

    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    Shape stat_shape = x.shape();
    stat_shape.back() = 1;
    float* mean = ctx.output_wanted(1) ? ctx.allocate(1, DataType::kFloat, stat_shape).data<float>() : nullptr;
    float* inv_std = ctx.output_wanted(2) ? ctx.allocate(2, DataType::kFloat, stat_shape).data<float>() : nullptr;
    const Tensor* sum_out = ctx.output_wanted(3) ? &ctx.allocate(3, x.dtype(), x.shape()) : nullptr;

    const ChunkScratch<float, struct SumAndOther> scratch(ctx.pool(), 2 * static_cast<size_t>(hidden));
    ctx.pool().parallel_for(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, hidden)), [&](int64_t begin, int64_t end) {
      const std::span<float> mine = scratch.mine();
      const std::span<float> sum = mine.first(static_cast<size_t>(hidden)), other = mine.last(static_cast<size_t>(hidden));
      for (int64_t r = begin; r < end; ++r) {
        load_float32(x, r * hidden, hidden, sum.data());
        load_float32(skip, (r % skip_rows) * hidden, hidden, other.data());
        for (int64_t i = 0; i < hidden; ++i) sum[static_cast<size_t>(i)] += other[static_cast<size_t>(i)];
        if (!bias.empty())
          for (int64_t i = 0; i < hidden; ++i) sum[static_cast<size_t>(i)] += bias[static_cast<size_t>(i)];
        if (sum_out) store_float32(sum.data(), hidden, *sum_out, r * hidden);
        const RowNormStats st = normalize_row(sum.data(), other.data(), hidden, epsilon_, kSimplified, gamma.data(),
                                              beta.empty() ? nullptr : beta.data());
        store_float32(other.data(), hidden, y, r * hidden);
        if (mean) mean[r] = st.mean;
        if (inv_std) inv_std[r] = st.inv_std;
      }
    });
  }

 private:
  float epsilon_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.microsoft", "SkipLayerNormalization", 1, ONNXGEN_LATEST, SkipLayerNorm<false>);
ONNXGEN_REGISTER_KERNEL("com.microsoft", "SkipSimplifiedLayerNormalization", 1, ONNXGEN_LATEST, SkipLayerNorm<true>);

}  // namespace onnxgen
