// NonZero and Compress: outputs whose size depends on the input's values.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/numeric_or_bool.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

// Flat positions of the elements of `x` that are not zero (false for bools).
std::vector<int64_t> nonzero_positions(const Tensor& x) {
  std::vector<int64_t> out;
  auto scan = [&](auto tag) {
    using T = decltype(tag);
    const T* p = x.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i)
      if (static_cast<compute_t<T>>(p[i]) != compute_t<T>(0)) out.push_back(i);
  };
  dispatch_numeric_or_bool(x.dtype(), scan);
  return out;
}

class NonZero : public OpKernel {
 public:
  explicit NonZero(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const std::vector<int64_t> pos = nonzero_positions(x);
    const int64_t rank = static_cast<int64_t>(x.rank()), n = static_cast<int64_t>(pos.size());
    Tensor& y = ctx.allocate(0, DataType::kInt64, {rank, n});
    int64_t* out = y.data<int64_t>();
    for (int64_t k = 0; k < n; ++k) {
      int64_t rem = pos[k];
      for (int64_t d = rank; d-- > 0;) {
        out[d * n + k] = rem % x.dim(d);
        rem /= x.dim(d);
      }
    }
  }
};

class Compress : public OpKernel {
 public:
  explicit Compress(const KernelInit& init) {
    if (init.attrs().has("axis")) axis_ = init.attrs().get_int("axis");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& input = ctx.required(0);
    const Tensor& condition = ctx.required(1);
    ONNXGEN_CHECK(condition.dtype() == DataType::kBool && condition.rank() == 1,
                  "Compress: condition must be 1-D bool, got ", condition.describe());
    // Without an axis the input is taken flat.
    const Tensor x = axis_ ? input : input.reshaped({input.numel()});
    const int64_t axis = axis_ ? normalize_axis(*axis_, static_cast<int64_t>(x.rank())) : 0;
    const int64_t dim = x.dim(axis);
    ONNXGEN_CHECK(condition.numel() <= dim, "Compress: condition has ", condition.numel(),
                  " entries for an axis of size ", dim);
    const std::vector<int64_t> picked = nonzero_positions(condition);
    const Shape& s = x.shape();
    Shape out_shape = s;
    out_shape[axis] = static_cast<int64_t>(picked.size());
    const int64_t outer = num_elements(Shape(s.begin(), s.begin() + axis));
    const int64_t inner = num_elements(Shape(s.begin() + axis + 1, s.end()));
    Tensor& y = ctx.allocate(0, x.dtype(), out_shape);
    dispatch_by_size(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = elements_of<T>(x);
      T* out = mutable_elements_of<T>(y);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i : picked) out = std::copy(src + (o * dim + i) * inner, src + (o * dim + i + 1) * inner, out);
    });
  }

 private:
  std::optional<int64_t> axis_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "NonZero", 9, ONNXGEN_LATEST, NonZero);
ONNXGEN_REGISTER_KERNEL("", "Compress", 9, ONNXGEN_LATEST, Compress);

}  // namespace onnxgen
