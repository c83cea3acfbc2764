// ScatterND, ScatterElements and the legacy Scatter: a copy of `data` with `updates` written (or
// combined, with a reduction) at indexed positions. Updates apply in order, so repeated indices
// behave as in the reference: the last write wins, reductions accumulate.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/indices.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

Reduction parse_reduction(const KernelInit& init) {
  const std::string r = init.attrs().get_string("reduction", "none");
  if (r == "none") return Reduction::kNone;
  if (r == "add") return Reduction::kAdd;
  if (r == "mul") return Reduction::kMul;
  if (r == "max") return Reduction::kMax;
  if (r == "min") return Reduction::kMin;
  fail("unsupported reduction '", r, "'");
}

// Copies data to output 0, then combines into it each run of `updates` that for_each_run reports
// by calling write(output_offset, updates_offset, count).
template <class ForEachRun>
void scatter_into_copy(KernelContext& ctx, const Tensor& data, const Tensor& updates, Reduction reduction,
                       ForEachRun&& for_each_run) {
  ONNXGEN_CHECK(updates.dtype() == data.dtype(), "updates ", updates.describe(), " do not match data ",
                data.describe());
  Tensor& y = ctx.allocate(0, data.dtype(), data.shape());
  strided_copy(data, y, StridedView{data.shape(), strides_of(data.shape()), 0}, ctx.pool());
  if (reduction == Reduction::kNone) {
    dispatch_by_size(data.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* dst = mutable_elements_of<T>(y);
      const T* src = elements_of<T>(updates);
      for_each_run([&](int64_t d, int64_t s, int64_t n) { std::copy(src + s, src + s + n, dst + d); });
    });
    return;
  }
  dispatch_numeric(data.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using C = compute_t<T>;
    T* dst = y.data<T>();
    const T* src = updates.data<T>();
    for_each_run([&](int64_t d, int64_t s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        const C a = static_cast<C>(dst[d + i]), b = static_cast<C>(src[s + i]);
        C r = a;
        switch (reduction) {
          case Reduction::kAdd:
            r = static_cast<C>(a + b);
            break;
          case Reduction::kMul:
            r = static_cast<C>(a * b);
            break;
          case Reduction::kMax:
            r = std::max(a, b);
            break;
          case Reduction::kMin:
            r = std::min(a, b);
            break;
          case Reduction::kNone:
            break;
        }
        dst[d + i] = T(r);
      }
    });
  });
}

class ScatterND : public OpKernel {
 public:
  explicit ScatterND(const KernelInit& init) : reduction_(parse_reduction(init)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& data = ctx.required(0);
    const Tensor& indices_t = ctx.required(1);
    const Tensor& updates = ctx.required(2);
    const std::vector<int64_t> offsets = tuple_offsets(data, indices_t, 0, "ScatterND");
    const int64_t m = indices_t.dim(indices_t.rank() - 1);
    const Shape& s = data.shape();
    Shape expected(indices_t.shape().begin(), indices_t.shape().end() - 1);
    expected.insert(expected.end(), s.begin() + m, s.end());
    ONNXGEN_CHECK(updates.shape() == expected, "ScatterND: updates ", updates.describe(), " should have shape ",
                  to_string(expected));
    const int64_t inner = num_elements(Shape(s.begin() + m, s.end()));
    const int64_t tuples = static_cast<int64_t>(offsets.size());
    scatter_into_copy(ctx, data, updates, reduction_, [&](auto&& write) {
      for (int64_t t = 0; t < tuples; ++t) write(offsets[t], t * inner, inner);
    });
  }

 private:
  Reduction reduction_;
};

class ScatterElements : public OpKernel {
 public:
  explicit ScatterElements(const KernelInit& init)
      : axis_(init.attrs().get_int("axis", 0)), reduction_(parse_reduction(init)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& data = ctx.required(0);
    const Tensor& indices_t = ctx.required(1);
    const Tensor& updates = ctx.required(2);
    ONNXGEN_CHECK(updates.shape() == indices_t.shape(), "ScatterElements: updates ", updates.describe(),
                  " must have the shape of indices ", indices_t.describe());
    const std::vector<int64_t> offsets = element_offsets(data, indices_t, axis_, "ScatterElements");
    scatter_into_copy(ctx, data, updates, reduction_, [&](auto&& write) {
      for (size_t k = 0; k < offsets.size(); ++k) write(offsets[k], static_cast<int64_t>(k), 1);
    });
  }

 private:
  int64_t axis_;
  Reduction reduction_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "ScatterND", 11, ONNXGEN_LATEST, ScatterND);
ONNXGEN_REGISTER_KERNEL("", "ScatterElements", 11, ONNXGEN_LATEST, ScatterElements);
// The deprecated Scatter is ScatterElements without reductions.
ONNXGEN_REGISTER_KERNEL("", "Scatter", 9, ONNXGEN_LATEST, ScatterElements);

}  // namespace onnxgen
