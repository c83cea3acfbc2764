// OneHot: a new axis of length `depth` holding `on` at each index and `off` elsewhere.
#include <cmath>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

class OneHot : public OpKernel {
 public:
  explicit OneHot(const KernelInit& init) : axis_(init.attrs().get_int("axis", -1)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& indices = ctx.required(0);
    const Tensor& depth_t = ctx.required(1);
    const Tensor& values = ctx.required(2);
    ONNXGEN_CHECK(depth_t.numel() == 1, "OneHot: depth must have one element, got ", depth_t.describe());
    ONNXGEN_CHECK(values.numel() == 2 && values.rank() == 1, "OneHot: values must be [off, on], got ",
                  values.describe());
    ONNXGEN_CHECK(indices.dtype() != DataType::kString && depth_t.dtype() != DataType::kString,
                  "OneHot: indices and depth must be numeric");
    const double depth_value = depth_t.to_double(0);
    ONNXGEN_CHECK(depth_value >= 1 && depth_value <= double(int64_t{1} << 40), "OneHot: invalid depth ", depth_value);
    const int64_t depth = static_cast<int64_t>(depth_value);
    const int64_t out_rank = static_cast<int64_t>(indices.rank()) + 1;
    const int64_t axis = normalize_axis(axis_, out_rank);
    Shape out_shape = indices.shape();
    out_shape.insert(out_shape.begin() + axis, depth);
    const Shape& s = indices.shape();
    const int64_t outer = num_elements(Shape(s.begin(), s.begin() + axis));
    const int64_t inner = num_elements(Shape(s.begin() + axis, s.end()));
    Tensor& y = ctx.allocate(0, values.dtype(), out_shape);
    dispatch_by_size(values.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* v = elements_of<T>(values);
      T* out = mutable_elements_of<T>(y);
      std::fill(out, out + y.numel(), v[0]);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          // Indices outside [-depth, depth) select nothing: the row stays all `off`.
          const double idx = std::trunc(indices.to_double(o * inner + i));
          if (!(idx >= -depth && idx < depth)) continue;
          const int64_t k = static_cast<int64_t>(idx) + (idx < 0 ? depth : 0);
          out[(o * depth + k) * inner + i] = v[1];
        }
    });
  }

 private:
  int64_t axis_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "OneHot", 9, ONNXGEN_LATEST, OneHot);

}  // namespace onnxgen
