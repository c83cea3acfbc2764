// RMSNormalization (opset 23) and ONNX Runtime's default-domain SimplifiedLayerNormalization, the
// same computation: Y = X / sqrt(mean(X^2 over axes [axis, rank)) + epsilon) * scale, in float32
// whatever the input type. SimplifiedLayerNormalization may also output the float32 inverse RMS.
#include <algorithm>
#include <vector>

#include "runtime/core/scratch.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/float_staging.h"
#include "runtime/ops/cpu/row_norm.h"

namespace onnxgen {
namespace {

// `scale` broadcast (numpy rules, aligned right) to the normalised shape, as one float row of
// num_elements(normalized) values.
void expand_scale(const Tensor& scale, const Shape& normalized, const char* op, std::span<float> row) {
  const size_t rank = normalized.size();
  ONNXGEN_CHECK(scale.rank() <= rank, op, " scale ", scale.describe(), " has more dims than the normalised shape ",
                to_string(normalized));
  Shape strides(rank, 0);
  int64_t stride = 1;
  for (size_t i = 0; i < scale.rank(); ++i) {
    const size_t si = scale.rank() - 1 - i, ni = rank - 1 - i;
    ONNXGEN_CHECK(scale.dim(si) == 1 || scale.dim(si) == normalized[ni], op, " scale ", scale.describe(),
                  " does not broadcast to the normalised shape ", to_string(normalized));
    strides[ni] = scale.dim(si) == 1 ? 0 : stride;
    stride *= scale.dim(si);
  }
  const Tensor values = to_float32(scale);
  const float* src = values.data<float>();
  for (size_t i = 0; i < row.size(); ++i) {
    int64_t rest = static_cast<int64_t>(i), at = 0;
    for (size_t d = rank; d-- > 0;) {
      at += (rest % normalized[d]) * strides[d];
      rest /= normalized[d];
    }
    row[i] = src[at];
  }
}

class RmsNormalization : public OpKernel {
 public:
  explicit RmsNormalization(const KernelInit& init) {
    axis_ = init.attrs().get_int("axis", -1);
    epsilon_ = init.attrs().get_float("epsilon", 1e-5f);
    ONNXGEN_CHECK(epsilon_ >= 0, "RMS normalisation epsilon must be >= 0, got ", epsilon_);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x_in = ctx.required(0);
    const Tensor& scale = ctx.required(1);
    ONNXGEN_CHECK(is_float(x_in.dtype()), "RMS normalisation input must be a float type, got ", x_in.describe());
    ONNXGEN_CHECK(is_float(scale.dtype()), "RMS normalisation scale must be a float type, got ", scale.describe());
    const int64_t rank = static_cast<int64_t>(x_in.rank());
    ONNXGEN_CHECK(rank >= 1, "RMS normalisation input must have rank >= 1");
    const int64_t axis = normalize_axis(axis_, rank);
    const Shape normalized(x_in.shape().begin() + axis, x_in.shape().end());
    const int64_t n = num_elements(normalized);
    const int64_t rows = n ? x_in.numel() / n : 0;
    const std::span<float> gamma = thread_scratch<float, struct RmsGamma>(static_cast<size_t>(n));
    expand_scale(scale, normalized, "RMS normalisation", gamma);

    Tensor& y_out = ctx.allocate(0, x_in.dtype(), x_in.shape());
    float* inv_std = nullptr;
    if (ctx.output_wanted(1)) {
      Shape stat_shape(x_in.shape().begin(), x_in.shape().begin() + axis);
      stat_shape.resize(static_cast<size_t>(rank), 1);
      inv_std = ctx.allocate(1, DataType::kFloat, stat_shape).data<float>();
    }
    const bool is_f32 = x_in.dtype() == DataType::kFloat;
    const ChunkScratch<float, struct RmsRow> scratch(ctx.pool(), is_f32 ? 0 : static_cast<size_t>(n));
    ctx.pool().parallel_for(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, n)), [&](int64_t begin, int64_t end) {
      const std::span<float> buf = scratch.mine();
      for (int64_t r = begin; r < end; ++r) {
        const float* x = is_f32 ? x_in.data<float>() + r * n : buf.data();
        float* y = is_f32 ? y_out.data<float>() + r * n : buf.data();
        if (!is_f32) load_float32(x_in, r * n, n, buf.data());
        const RowNormStats st = normalize_row(x, y, n, epsilon_, true, gamma.data(), nullptr);
        if (!is_f32) store_float32(buf.data(), n, y_out, r * n);
        if (inv_std) inv_std[r] = st.inv_std;
      }
    });
  }

 private:
  int64_t axis_ = -1;
  float epsilon_ = 1e-5f;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "RMSNormalization", 23, ONNXGEN_LATEST, RmsNormalization);
ONNXGEN_REGISTER_KERNEL("", "SimplifiedLayerNormalization", 1, ONNXGEN_LATEST, RmsNormalization);

}  // namespace onnxgen
