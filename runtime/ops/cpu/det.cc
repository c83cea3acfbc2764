// Det: the determinant of each square matrix in [..., M, M], by LU decomposition with partial
// pivoting in double precision.
#include <cmath>
#include <utility>
#include <vector>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

double determinant(std::vector<double>& a, int64_t m) {
  double det = 1;
  for (int64_t col = 0; col < m; ++col) {
    int64_t pivot = col;
    for (int64_t r = col + 1; r < m; ++r)
      if (std::fabs(a[static_cast<size_t>(r * m + col)]) > std::fabs(a[static_cast<size_t>(pivot * m + col)])) pivot = r;
    const double p = a[static_cast<size_t>(pivot * m + col)];
    if (p == 0) return 0;
    if (pivot != col) {
      for (int64_t c = 0; c < m; ++c) std::swap(a[static_cast<size_t>(pivot * m + c)], a[static_cast<size_t>(col * m + c)]);
      det = -det;
    }
    det *= p;
    for (int64_t r = col + 1; r < m; ++r) {
      const double f = a[static_cast<size_t>(r * m + col)] / p;
      for (int64_t c = col; c < m; ++c) a[static_cast<size_t>(r * m + c)] -= f * a[static_cast<size_t>(col * m + c)];
    }
  }
  return det;
}

class Det : public OpKernel {
 public:
  explicit Det(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.rank() >= 2 && x.dim(x.rank() - 1) == x.dim(x.rank() - 2), "Det needs square matrices [..., M, M], got ",
                  x.describe());
    const int64_t m = x.dim(x.rank() - 1);
    Tensor& y = ctx.allocate(0, x.dtype(), Shape(x.shape().begin(), x.shape().end() - 2));
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      std::vector<double> a(static_cast<size_t>(m * m));
      for (int64_t b = 0; b < y.numel(); ++b) {
        for (int64_t i = 0; i < m * m; ++i) a[static_cast<size_t>(i)] = static_cast<double>(static_cast<compute_t<T>>(src[b * m * m + i]));
        dst[b] = static_cast<T>(determinant(a, m));
      }
    });
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Det", 11, ONNXGEN_LATEST, Det);

}  // namespace onnxgen
