// LayerNormalization (opset 17): each row of the trailing axes from `axis` is standardised, then
// scaled and shifted per element; the row means and inverse standard deviations are optional
// outputs. (ONNX Runtime's Skip/Simplified variants live in skip_layer_norm.cc and rms_norm.cc.)
#include <cmath>
#include <vector>

#include "runtime/core/simd.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/reduce_axes.h"
#include "runtime/ops/cpu/row_reduce.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

ONNXGEN_SIMD_CLONES void affine_row(const float* __restrict x, float* __restrict y, int64_t n, float shift, float mul,
                                    const float* __restrict scale, const float* __restrict bias) {
  if (bias) {
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - shift) * mul * scale[i] + bias[i];
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - shift) * mul * scale[i];
  }
}

// A per-element parameter (scale, bias) as one C per normalised element. A parameter already of
// that type and size is used in place, which is the usual case and avoids a copy per call.
template <class C>
class ParameterRow {
 public:
  ParameterRow() = default;
  ParameterRow(const ParameterRow&) = delete;
  ParameterRow(ParameterRow&&) = default;  // data_ stays valid: a moved vector keeps its buffer
  ParameterRow(const Tensor& p, const Shape& norm_shape, const char* what, ThreadPool& pool) {
    if (p.dtype() == data_type_of<C>() && p.numel() == num_elements(norm_shape) && p.rank() <= norm_shape.size()) {
      data_ = p.data<C>();
      return;
    }
    ONNXGEN_CHECK(p.rank() <= norm_shape.size(), what, " ", p.describe(), " has more dims than the normalised shape ",
                  to_string(norm_shape));
    StridedView view;
    view.shape = norm_shape;
    view.strides.assign(norm_shape.size(), 0);
    const Shape strides = strides_of(p.shape());
    for (size_t i = 0; i < p.rank(); ++i) {
      const size_t d = norm_shape.size() - p.rank() + i;
      ONNXGEN_CHECK(p.dim(i) == norm_shape[d] || p.dim(i) == 1, what, " ", p.describe(),
                    " does not broadcast to the normalised shape ", to_string(norm_shape));
      view.strides[d] = p.dim(i) == 1 ? 0 : strides[i];
    }
    Tensor dense = Tensor::empty(p.dtype(), norm_shape);
    strided_copy(p, dense, view, pool);
    owned_.resize(static_cast<size_t>(dense.numel()));
    dispatch_float(p.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = dense.data<T>();
      for (size_t i = 0; i < owned_.size(); ++i) owned_[i] = static_cast<C>(static_cast<compute_t<T>>(src[i]));
    });
    data_ = owned_.data();
  }
  const C* data() const { return data_; }

 private:
  const C* data_ = nullptr;
  std::vector<C> owned_;
};

class LayerNormalization : public OpKernel {
 public:
  explicit LayerNormalization(const KernelInit& init)
      : axis_(init.attrs().get_int("axis", -1)),
        epsilon_(init.attrs().get_float("epsilon", 1e-5f)),
        stash_type_(static_cast<DataType>(init.attrs().get_int("stash_type", 1))) {
    ONNXGEN_CHECK(stash_type_ == DataType::kFloat || stash_type_ == DataType::kDouble,
                  "stash_type must be float or double, got ", to_string(stash_type_));
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.rank() >= 1, "input must have rank >= 1, got ", x.describe());
    const size_t axis = static_cast<size_t>(normalize_axis(axis_, static_cast<int64_t>(x.rank())));
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      run<T>(ctx, x, axis);
    });
  }

 private:
  template <class T>
  void run(KernelContext& ctx, const Tensor& x, size_t axis) {
    using C = compute_t<T>;
    const Shape norm_shape(x.shape().begin() + static_cast<ptrdiff_t>(axis), x.shape().end());
    const int64_t size = num_elements(norm_shape);
    const int64_t rows = dims_product(x.shape(), 0, axis);
    const Tensor* bias_t = ctx.input(2);
    const ParameterRow<C> scale(ctx.required(1), norm_shape, "scale", ctx.pool());
    const ParameterRow<C> bias = bias_t && bias_t->defined() ? ParameterRow<C>(*bias_t, norm_shape, "bias", ctx.pool())
                                                             : ParameterRow<C>();

    const T* src = x.data<T>();

    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    Shape stat_shape(x.shape().begin(), x.shape().begin() + static_cast<ptrdiff_t>(axis));
    stat_shape.resize(x.rank(), 1);
    Tensor* mean_t = stat_output(ctx, 1, stat_shape);
    Tensor* inv_t = stat_output(ctx, 2, stat_shape);

    T* dst = y.data<T>();
    const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, size));
    ctx.pool().parallel_for(rows, grain, [&](int64_t begin, int64_t end) {
      std::vector<C> row(std::is_same_v<T, float> ? 0 : static_cast<size_t>(size));
      for (int64_t r = begin; r < end; ++r) {
        const T* in = src + r * size;
        T* out = dst + r * size;
        C mean = 0, inv = 0;
        if constexpr (std::is_same_v<T, float>) {
          mean = size ? row_sum(in, size) / static_cast<float>(size) : 0.0f;
          const float ss = row_sum_squared_deviation(in, size, mean);
          inv = 1.0f / std::sqrt(ss / static_cast<float>(size) + epsilon_);
          affine_row(in, out, size, mean, inv, scale.data(), bias.data());
        } else {
          for (int64_t i = 0; i < size; ++i) row[static_cast<size_t>(i)] = static_cast<C>(in[i]);
          for (C v : row) mean += v;
          mean /= static_cast<C>(size);
          C ss = 0;
          for (C v : row) ss += (v - mean) * (v - mean);
          inv = C(1) / std::sqrt(ss / static_cast<C>(size) + static_cast<C>(epsilon_));
          for (int64_t i = 0; i < size; ++i) {
            const size_t u = static_cast<size_t>(i);
            out[i] = static_cast<T>((row[u] - mean) * inv * scale.data()[i] + (bias.data() ? bias.data()[i] : C(0)));
          }
        }
        if (mean_t) store_stat(*mean_t, r, static_cast<double>(mean));
        if (inv_t) store_stat(*inv_t, r, static_cast<double>(inv));
      }
    });
  }

  Tensor* stat_output(KernelContext& ctx, size_t index, const Shape& shape) const {
    if (!ctx.output_wanted(index)) return nullptr;
    return &ctx.allocate(index, stash_type_, shape);
  }

  static void store_stat(Tensor& t, int64_t i, double v) {
    if (t.dtype() == DataType::kFloat) t.data<float>()[i] = static_cast<float>(v);
    else t.data<double>()[i] = v;
  }

  int64_t axis_;
  float epsilon_;
  DataType stash_type_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "LayerNormalization", 17, ONNXGEN_LATEST, LayerNormalization);

}  // namespace onnxgen
