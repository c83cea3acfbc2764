// BatchNormalization over [N, C, spatial...]. Inference uses the given mean and variance; from
// opset 14 training_mode normalises with the batch's own statistics and also returns the updated
// running mean and variance.
#include <cmath>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/channel_affine.h"
#include "runtime/ops/cpu/reduce_axes.h"

namespace onnxgen {
namespace {

std::vector<double> channel_values(const Tensor& t, int64_t channels, const char* what) {
  ONNXGEN_CHECK(is_float(t.dtype()) && t.rank() == 1 && t.dim(0) == channels, what, " must be a float vector of ", channels,
                " values, got ", t.describe());
  std::vector<double> v(static_cast<size_t>(channels));
  for (int64_t i = 0; i < channels; ++i) v[static_cast<size_t>(i)] = t.to_double(i);
  return v;
}

class BatchNormalization : public OpKernel {
 public:
  explicit BatchNormalization(const KernelInit& init)
      : epsilon_(init.attrs().get_float("epsilon", 1e-5f)),
        momentum_(init.attrs().get_float("momentum", 0.9f)),
        training_(init.opset >= 14 && init.attrs().get_int("training_mode", 0) != 0) {
    ONNXGEN_CHECK(init.attrs().get_int("spatial", 1) == 1, "BatchNormalization with spatial=0 is not supported");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.rank() >= 2, "input must be [N, C, ...], got ", x.describe());
    const int64_t batch = x.dim(0), channels = x.dim(1), spatial = dims_product(x.shape(), 2, x.rank());
    const std::vector<double> scale = channel_values(ctx.required(1), channels, "scale");
    const std::vector<double> bias = channel_values(ctx.required(2), channels, "B");
    std::vector<double> mean = channel_values(ctx.required(3), channels, "input_mean");
    std::vector<double> var = channel_values(ctx.required(4), channels, "input_var");
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      if (training_) {
        update_running_stats<T>(ctx, src, batch, channels, spatial, mean, var);
      }
      ctx.pool().parallel_for(batch * channels, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, spatial)),
                              [&](int64_t b, int64_t e) {
                                for (int64_t nc = b; nc < e; ++nc) {
                                  const size_t c = static_cast<size_t>(nc % channels);
                                  const double mul = scale[c] / std::sqrt(var[c] + epsilon_);
                                  channel_affine(src + nc * spatial, dst + nc * spatial, spatial, static_cast<C>(mul),
                                                 static_cast<C>(bias[c] - mean[c] * mul));
                                }
                              });
    });
  }

 private:
  // Replaces mean/var with the batch statistics and writes the running ones to outputs 1 and 2.
  template <class T>
  void update_running_stats(KernelContext& ctx, const T* src, int64_t batch, int64_t channels, int64_t spatial,
                            std::vector<double>& mean, std::vector<double>& var) const {
    const Tensor& in_mean = ctx.required(3);
    const Tensor& in_var = ctx.required(4);
    Tensor* run_mean = ctx.output_wanted(1) ? &ctx.allocate(1, in_mean.dtype(), in_mean.shape()) : nullptr;
    Tensor* run_var = ctx.output_wanted(2) ? &ctx.allocate(2, in_var.dtype(), in_var.shape()) : nullptr;
    for (int64_t c = 0; c < channels; ++c) {
      double sum = 0, sq = 0;
      for (int64_t n = 0; n < batch; ++n) {
        double m, v;
        moments(src + (n * channels + c) * spatial, spatial, m, v);
        sum += m;
        sq += v + m * m;
      }
      const double batch_mean = sum / static_cast<double>(batch);
      const double batch_var = sq / static_cast<double>(batch) - batch_mean * batch_mean;
      const size_t u = static_cast<size_t>(c);
      if (run_mean) store(*run_mean, c, mean[u] * momentum_ + batch_mean * (1 - momentum_));
      if (run_var) store(*run_var, c, var[u] * momentum_ + batch_var * (1 - momentum_));
      mean[u] = batch_mean;
      var[u] = batch_var;
    }
  }

  static void store(Tensor& t, int64_t i, double v) {
    dispatch_float(t.dtype(), [&](auto tag) {
      using T = decltype(tag);
      t.data<T>()[i] = static_cast<T>(v);
    });
  }

  float epsilon_;
  float momentum_;
  bool training_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "BatchNormalization", 1, ONNXGEN_LATEST, BatchNormalization);

}  // namespace onnxgen
