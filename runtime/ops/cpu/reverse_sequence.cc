// ReverseSequence: reverses the first seq_len[b] steps along the time axis of each batch entry.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

class ReverseSequence : public OpKernel {
 public:
  explicit ReverseSequence(const KernelInit& init)
      : time_axis_(init.attrs().get_int("time_axis", 0)), batch_axis_(init.attrs().get_int("batch_axis", 1)) {
    ONNXGEN_CHECK((time_axis_ == 0 && batch_axis_ == 1) || (time_axis_ == 1 && batch_axis_ == 0),
                  "ReverseSequence: time_axis and batch_axis must be 0 and 1 in some order");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& lens_t = ctx.required(1);
    ONNXGEN_CHECK(x.rank() >= 2, "ReverseSequence: input must have rank >= 2, got ", x.describe());
    const int64_t steps = x.dim(time_axis_), batch = x.dim(batch_axis_);
    ONNXGEN_CHECK(lens_t.rank() == 1 && lens_t.dim(0) == batch, "ReverseSequence: sequence_lens ", lens_t.describe(),
                  " must have one entry per batch entry (", batch, ")");
    const std::vector<int64_t> lens = lens_t.to_int64_vector();
    for (int64_t len : lens)
      ONNXGEN_CHECK(len >= 0 && len <= steps, "ReverseSequence: sequence length ", len, " is out of [0, ", steps, "]");
    const Shape strides = strides_of(x.shape());
    const int64_t ts = strides[time_axis_], bs = strides[batch_axis_], inner = strides[1];
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    dispatch_by_size(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = elements_of<T>(x);
      T* dst = mutable_elements_of<T>(y);
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t t = 0; t < steps; ++t) {
          const int64_t from = t < lens[b] ? lens[b] - 1 - t : t;
          std::copy(src + from * ts + b * bs, src + from * ts + b * bs + inner, dst + t * ts + b * bs);
        }
    });
  }

 private:
  int64_t time_axis_, batch_axis_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "ReverseSequence", 10, ONNXGEN_LATEST, ReverseSequence);

}  // namespace onnxgen
