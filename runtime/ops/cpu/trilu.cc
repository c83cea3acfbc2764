// Trilu: keeps the upper (or lower) triangle of each matrix in the last two dims, relative to
// diagonal k, and zeroes the rest. Rows are whole runs of "keep" and "zero", so each row is two
// copies/fills rather than a per-element test.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

class Trilu : public OpKernel {
 public:
  explicit Trilu(const KernelInit& init) : upper_(init.attrs().get_int("upper", 1) != 0) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.rank() >= 2, "Trilu: input must have rank >= 2, got ", x.describe());
    int64_t k = 0;
    if (const Tensor* kt = ctx.input(1)) {
      ONNXGEN_CHECK(kt->numel() == 1, "Trilu: k must be a scalar, got ", kt->describe());
      // Beyond the matrix every k acts alike; clamping keeps i + k from overflowing.
      k = std::clamp<int64_t>(kt->to_int64(0), -x.dim(x.rank() - 2) - 1, x.dim(x.rank() - 1) + 1);
    }
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    if (y.numel() == 0) return;
    const int64_t rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
    const Tensor zero = Tensor::zeros(x.dtype(), {});
    dispatch_by_size(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = elements_of<T>(x);
      T* dst = mutable_elements_of<T>(y);
      const T& z = *elements_of<T>(zero);
      ctx.pool().parallel_for(y.numel() / cols, std::max<int64_t>(1, (int64_t{1} << 14) / cols),
                              [&](int64_t b, int64_t e) {
                                for (int64_t r = b; r < e; ++r) {
                                  // Row i keeps columns [i + k, cols) of the upper triangle, [0, i + k + 1) of the
                                  // lower.
                                  const int64_t i = r % rows;
                                  const int64_t first = upper_ ? std::clamp<int64_t>(i + k, 0, cols) : 0;
                                  const int64_t last = upper_ ? cols : std::clamp<int64_t>(i + k + 1, 0, cols);
                                  const T* in = src + r * cols;
                                  T* out = dst + r * cols;
                                  std::fill(out, out + first, z);
                                  std::copy(in + first, in + last, out + first);
                                  std::fill(out + last, out + cols, z);
                                }
                              });
    });
  }

 private:
  bool upper_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Trilu", 14, ONNXGEN_LATEST, Trilu);

}  // namespace onnxgen
