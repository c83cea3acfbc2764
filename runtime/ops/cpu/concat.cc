// Concat: each output row along the outer dims is the inputs' rows laid end to end.
#include "runtime/ops/cpu/concat.h"

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {

Tensor concat_tensors(std::span<const Tensor* const> inputs, int64_t axis_attr, ThreadPool& pool,
                      Allocator& allocator) {
  ONNXGEN_CHECK(!inputs.empty(), "Concat: needs at least one input");
  const Tensor& first = *inputs[0];
  const int64_t rank = static_cast<int64_t>(first.rank());
  ONNXGEN_CHECK(rank > 0, "Concat: inputs must have rank >= 1");
  const int64_t axis = normalize_axis(axis_attr, rank);
  Shape out_shape = first.shape();
  out_shape[axis] = 0;
  for (const Tensor* t : inputs) {
    ONNXGEN_CHECK(t->dtype() == first.dtype(), "Concat: inputs mix ", first.describe(), " and ", t->describe());
    ONNXGEN_CHECK(static_cast<int64_t>(t->rank()) == rank, "Concat: inputs mix ranks: ", first.describe(), " and ",
                  t->describe());
    for (int64_t d = 0; d < rank; ++d)
      ONNXGEN_CHECK(d == axis || t->dim(d) == first.dim(d), "Concat: ", t->describe(), " does not match ",
                    first.describe(), " outside axis ", axis);
    out_shape[axis] += t->dim(axis);
  }
  Tensor y = Tensor::empty(first.dtype(), out_shape, allocator);
  if (y.numel() == 0) return y;
  const int64_t outer = num_elements(Shape(out_shape.begin(), out_shape.begin() + axis));
  const int64_t row = y.numel() / outer;
  dispatch_by_size(first.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* dst = mutable_elements_of<T>(y);
    pool.parallel_for(outer, std::max<int64_t>(1, (int64_t{1} << 15) / row), [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        T* out = dst + o * row;
        for (const Tensor* t : inputs) {
          const int64_t chunk = t->numel() / outer;
          const T* in = elements_of<T>(*t) + o * chunk;
          out = std::copy(in, in + chunk, out);
        }
      }
    });
  });
  return y;
}

namespace {

class Concat : public OpKernel {
 public:
  // Opsets before 4 default the axis to 1; later ones require it.
  explicit Concat(const KernelInit& init)
      : axis_(init.opset < 4 ? init.attrs().get_int("axis", 1) : init.attrs().get_int("axis")) {}

  void compute(KernelContext& ctx) override {
    std::vector<const Tensor*> inputs;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) inputs.push_back(&ctx.required(i));
    ctx.set_output(0, concat_tensors(inputs, axis_, ctx.pool(), ctx.allocator()));
  }

 private:
  int64_t axis_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Concat", 1, ONNXGEN_LATEST, Concat);

}  // namespace onnxgen
