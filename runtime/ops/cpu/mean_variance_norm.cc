// MeanVarianceNormalization: (X - mean) / (sqrt(E[X^2] - mean^2) + 1e-9) with the moments taken
// over `axes` (default [0, 2, 3]), as the ONNX function body defines it.
#include <cmath>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/reduce_axes.h"

namespace onnxgen {
namespace {

constexpr double kEpsilon = 1e-9;

class MeanVarianceNormalization : public OpKernel {
 public:
  explicit MeanVarianceNormalization(const KernelInit& init) : axes_(init.attrs().get_ints("axes", {0, 2, 3})) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const std::vector<bool> mask = reduced_axes_mask(axes_, static_cast<int64_t>(x.rank()));
    const Shape stats_shape = reduced_shape(x.shape(), mask, true);
    const std::vector<int64_t> group = group_of_each_element(x.shape(), mask, stats_shape);
    const size_t groups = static_cast<size_t>(num_elements(stats_shape));
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      std::vector<double> sum(groups, 0), sq(groups, 0);
      for (int64_t i = 0; i < x.numel(); ++i) {
        const double v = static_cast<double>(static_cast<compute_t<T>>(src[i]));
        sum[static_cast<size_t>(group[static_cast<size_t>(i)])] += v;
        sq[static_cast<size_t>(group[static_cast<size_t>(i)])] += v * v;
      }
      const double count = static_cast<double>(x.numel()) / static_cast<double>(std::max<size_t>(1, groups));
      for (size_t g = 0; g < groups; ++g) {
        sum[g] /= count;
        sq[g] = std::sqrt(std::max(0.0, sq[g] / count - sum[g] * sum[g])) + kEpsilon;
      }
      for (int64_t i = 0; i < x.numel(); ++i) {
        const size_t g = static_cast<size_t>(group[static_cast<size_t>(i)]);
        dst[i] = static_cast<T>((static_cast<double>(static_cast<compute_t<T>>(src[i])) - sum[g]) / sq[g]);
      }
    });
  }

 private:
  // For each element, the flat index of its cell in the kept-dims statistics.
  static std::vector<int64_t> group_of_each_element(const Shape& shape, const std::vector<bool>& mask, const Shape& stats) {
    const Shape stat_strides = strides_of(stats);
    std::vector<int64_t> out(static_cast<size_t>(num_elements(shape)));
    std::vector<int64_t> index(shape.size(), 0);
    for (size_t i = 0; i < out.size(); ++i) {
      int64_t g = 0;
      for (size_t d = 0; d < shape.size(); ++d)
        if (!mask[d]) g += index[d] * stat_strides[d];
      out[i] = g;
      for (size_t d = shape.size(); d-- > 0;) {
        if (++index[d] < shape[d]) break;
        index[d] = 0;
      }
    }
    return out;
  }

  std::vector<int64_t> axes_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "MeanVarianceNormalization", 9, ONNXGEN_LATEST, MeanVarianceNormalization);

}  // namespace onnxgen
