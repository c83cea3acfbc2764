// Softmax, LogSoftmax and Hardmax. Up to opset 12 they flatten the input to 2-D at `axis` and
// normalise each row over everything from `axis` on; from opset 13 they normalise along the
// single axis `axis` (default -1).
#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/reduce_axes.h"
#include "runtime/ops/cpu/row_reduce.h"
#include "runtime/ops/cpu/vector_math.h"

namespace onnxgen {
namespace {

enum class Normaliser { kSoftmax, kLogSoftmax, kHardmax };

template <Normaliser kMode>
void normalise_float_row(const float* x, float* y, int64_t n) {
  if (n == 0) return;
  if constexpr (kMode == Normaliser::kHardmax) {
    const int64_t at = std::max_element(x, x + n) - x;
    std::fill(y, y + n, 0.0f);
    y[at] = 1.0f;
  } else {
    const float max = row_max(x, n);
    if constexpr (kMode == Normaliser::kSoftmax) {
      const float inv = 1.0f / exp_shifted_sum(x, max, y, n);
      for (int64_t i = 0; i < n; ++i) y[i] *= inv;
    } else {
      // The exponentials only feed the sum; y is overwritten with the result next.
      const float shift = max + std::log(exp_shifted_sum(x, max, y, n));
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] - shift;
    }
  }
}

// Rows of other types, strided or not, normalised in compute precision C.
template <Normaliser kMode, class C>
void normalise_row(std::vector<C>& row) {
  const int64_t n = static_cast<int64_t>(row.size());
  if (n == 0) return;
  if constexpr (kMode == Normaliser::kHardmax) {
    const auto at = std::max_element(row.begin(), row.end()) - row.begin();
    std::fill(row.begin(), row.end(), C(0));
    row[static_cast<size_t>(at)] = C(1);
  } else {
    const C max = *std::max_element(row.begin(), row.end());
    C sum = 0;
    for (C v : row) sum += std::exp(v - max);
    const C log_sum = std::log(sum);
    for (C& v : row) v = kMode == Normaliser::kSoftmax ? std::exp(v - max - log_sum) : v - max - log_sum;
  }
}

template <Normaliser kMode, class T>
void normalise(const T* x, T* y, const AxisSplit& s, ThreadPool& pool) {
  const int64_t lines = s.outer * s.inner;
  const int64_t grain = std::max<int64_t>(1, 8192 / std::max<int64_t>(1, s.extent));
  if constexpr (std::is_same_v<T, float>) {
    if (s.inner == 1) {
      pool.parallel_for(s.outer, grain, [&](int64_t b, int64_t e) {
        for (int64_t o = b; o < e; ++o) normalise_float_row<kMode>(x + o * s.extent, y + o * s.extent, s.extent);
      });
      return;
    }
  }
  using C = compute_t<T>;
  pool.parallel_for(lines, grain, [&](int64_t b, int64_t e) {
    std::vector<C> row(static_cast<size_t>(s.extent));
    for (int64_t line = b; line < e; ++line) {
      const int64_t base = (line / s.inner) * s.extent * s.inner + line % s.inner;
      for (int64_t i = 0; i < s.extent; ++i) row[static_cast<size_t>(i)] = static_cast<C>(x[base + i * s.inner]);
      normalise_row<kMode>(row);
      for (int64_t i = 0; i < s.extent; ++i) y[base + i * s.inner] = static_cast<T>(row[static_cast<size_t>(i)]);
    }
  });
}

template <Normaliser kMode, bool kFlattenTo2D>
class Normalise : public OpKernel {
 public:
  explicit Normalise(const KernelInit& init) : axis_(init.attrs().get_int("axis", kFlattenTo2D ? 1 : -1)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const int64_t rank = static_cast<int64_t>(x.rank());
    ONNXGEN_CHECK(rank > 0 || !kFlattenTo2D, "input must have rank >= 1, got a scalar");
    const int64_t axis = rank == 0 ? 0 : normalize_axis(axis_, rank);
    AxisSplit s;
    if (rank == 0) s = {1, 1, 1};
    else if (kFlattenTo2D) s = {dims_product(x.shape(), 0, static_cast<size_t>(axis)), dims_product(x.shape(), static_cast<size_t>(axis), x.rank()), 1};
    else s = split_at_axis(x.shape(), axis);
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      normalise<kMode, T>(x.data<T>(), y.data<T>(), s, ctx.pool());
    });
  }

 private:
  int64_t axis_;
};

template <Normaliser kMode>
using Normalise2D = Normalise<kMode, true>;
template <Normaliser kMode>
using NormaliseAxis = Normalise<kMode, false>;

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Softmax", 1, 12, Normalise2D<Normaliser::kSoftmax>);
ONNXGEN_REGISTER_KERNEL("", "Softmax", 13, ONNXGEN_LATEST, NormaliseAxis<Normaliser::kSoftmax>);
ONNXGEN_REGISTER_KERNEL("", "LogSoftmax", 1, 12, Normalise2D<Normaliser::kLogSoftmax>);
ONNXGEN_REGISTER_KERNEL("", "LogSoftmax", 13, ONNXGEN_LATEST, NormaliseAxis<Normaliser::kLogSoftmax>);
ONNXGEN_REGISTER_KERNEL("", "Hardmax", 1, 12, Normalise2D<Normaliser::kHardmax>);
ONNXGEN_REGISTER_KERNEL("", "Hardmax", 13, ONNXGEN_LATEST, NormaliseAxis<Normaliser::kHardmax>);

}  // namespace onnxgen
