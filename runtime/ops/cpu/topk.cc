// TopK: the k largest (or smallest) values along an axis and their int64 indices. Equal values
// keep their original order, so the lower index comes first, as ONNX specifies.
#include <algorithm>
#include <utility>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/reduce_axes.h"

namespace onnxgen {
namespace {

template <bool kKFromInput>
class TopK : public OpKernel {
 public:
  explicit TopK(const KernelInit& init)
      : axis_(init.attrs().get_int("axis", -1)),
        k_(kKFromInput ? -1 : init.attrs().get_int("k")),
        largest_(init.attrs().get_int("largest", 1) != 0) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.rank() >= 1, "input must have rank >= 1, got ", x.describe());
    int64_t k = k_;
    if constexpr (kKFromInput) {
      const Tensor& kt = ctx.required(1);
      ONNXGEN_CHECK(kt.dtype() == DataType::kInt64 && kt.numel() == 1 && kt.rank() <= 1, "K must be a 1-element int64 tensor, got ",
                    kt.describe());
      k = kt.to_int64(0);
    }
    const int64_t axis = normalize_axis(axis_, static_cast<int64_t>(x.rank()));
    const AxisSplit s = split_at_axis(x.shape(), axis);
    ONNXGEN_CHECK(k >= 0 && k <= s.extent, "k = ", k, " is outside [0, ", s.extent, "] for axis ", axis, " of ", x.describe());
    Shape out_shape = x.shape();
    out_shape[static_cast<size_t>(axis)] = k;
    Tensor& values = ctx.allocate(0, x.dtype(), out_shape);
    Tensor& indices = ctx.allocate(1, DataType::kInt64, out_shape);
    if (values.numel() == 0) return;
    dispatch_numeric(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* src = x.data<T>();
      T* vals = values.data<T>();
      int64_t* idx = indices.data<int64_t>();
      const bool largest = largest_;
      // NaN ranks above every number (as in numpy's sort), which keeps the order strict-weak.
      auto before = [largest](const std::pair<C, int64_t>& a, const std::pair<C, int64_t>& b) {
        const bool a_nan = a.first != a.first, b_nan = b.first != b.first;
        if (a_nan != b_nan) return largest ? a_nan : b_nan;
        if (!a_nan && a.first != b.first) return largest ? a.first > b.first : a.first < b.first;
        return a.second < b.second;
      };
      ctx.pool().parallel_for(s.outer * s.inner, std::max<int64_t>(1, 8192 / s.extent), [&](int64_t b, int64_t e) {
        std::vector<std::pair<C, int64_t>> line(static_cast<size_t>(s.extent));
        for (int64_t l = b; l < e; ++l) {
          const int64_t o = l / s.inner, j = l % s.inner;
          const T* p = src + o * s.extent * s.inner + j;
          for (int64_t i = 0; i < s.extent; ++i) line[static_cast<size_t>(i)] = {static_cast<C>(p[i * s.inner]), i};
          std::partial_sort(line.begin(), line.begin() + k, line.end(), before);
          const int64_t base = o * k * s.inner + j;
          for (int64_t i = 0; i < k; ++i) {
            vals[base + i * s.inner] = static_cast<T>(line[static_cast<size_t>(i)].first);
            idx[base + i * s.inner] = line[static_cast<size_t>(i)].second;
          }
        }
      });
    });
  }

 private:
  int64_t axis_;
  int64_t k_;
  bool largest_;
};

}  // namespace

// k became an input in opset 10; largest/sorted arrived in 11 (results here are always sorted).
ONNXGEN_REGISTER_KERNEL("", "TopK", 1, 9, TopK<false>);
ONNXGEN_REGISTER_KERNEL("", "TopK", 10, ONNXGEN_LATEST, TopK<true>);

}  // namespace onnxgen
