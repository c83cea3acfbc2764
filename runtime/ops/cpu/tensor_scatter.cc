// TensorScatter (opset 24): the functional KV-cache write. present = past with `update`'s
// sequence_length slices written along `axis` at write_indices[batch] (0 when omitted), wrapping
// modulo the cache length in "circular" mode.
#include <algorithm>
#include <string>
#include <vector>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class TensorScatter : public OpKernel {
 public:
  explicit TensorScatter(const KernelInit& init) {
    axis_ = init.attrs().get_int("axis", -2);
    const std::string mode = init.attrs().get_string("mode", "linear");
    ONNXGEN_CHECK(mode == "linear" || mode == "circular", "TensorScatter mode must be 'linear' or 'circular', got '",
                  mode, "'");
    circular_ = mode == "circular";
  }

  void compute(KernelContext& ctx) override {
    const Tensor& past = ctx.required(0);
    const Tensor& update = ctx.required(1);
    const Tensor* indices = ctx.input(2);
    const int64_t rank = static_cast<int64_t>(past.rank());
    ONNXGEN_CHECK(rank >= 2, "TensorScatter past_cache must have rank >= 2, got ", past.describe());
    const int64_t axis = normalize_axis(axis_, rank);
    ONNXGEN_CHECK(axis != 0, "TensorScatter axis cannot be the batch axis");
    ONNXGEN_CHECK(update.dtype() == past.dtype() && static_cast<int64_t>(update.rank()) == rank,
                  "TensorScatter update ", update.describe(), " must match past_cache ", past.describe(),
                  " in type and rank");
    for (int64_t d = 0; d < rank; ++d)
      ONNXGEN_CHECK(d == axis ? update.dim(d) <= past.dim(d) : update.dim(d) == past.dim(d), "TensorScatter update ",
                    update.describe(), " does not fit past_cache ", past.describe(), " along axis ", axis);
    const int64_t batch = past.dim(0), max_len = past.dim(axis), len = update.dim(axis);
    int64_t prefix = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) prefix *= past.dim(d);
    for (int64_t d = axis + 1; d < rank; ++d) inner *= past.dim(d);

    std::vector<int64_t> starts(static_cast<size_t>(batch), 0);
    if (indices) {
      ONNXGEN_CHECK(indices->rank() == 1 && indices->dim(0) == batch && is_integer(indices->dtype()),
                    "TensorScatter write_indices must be an integer [", batch, "] vector, got ", indices->describe());
      for (int64_t b = 0; b < batch; ++b) {
        starts[static_cast<size_t>(b)] = indices->to_int64(b);
        const int64_t at = starts[static_cast<size_t>(b)];
        ONNXGEN_CHECK(circular_ || (at >= 0 && at + len <= max_len), "TensorScatter write index ", at, " for batch ", b,
                      " with ", len, " updates overruns the cache of ", max_len);
      }
    }

    Tensor& out = ctx.allocate(0, past.dtype(), past.shape());
    dispatch_all(past.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = past.data<T>();
      const T* upd = update.data<T>();
      T* dst = out.data<T>();
      std::copy(src, src + past.numel(), dst);
      const int64_t per_batch = prefix / std::max<int64_t>(batch, 1);
      for (int64_t p = 0; p < prefix; ++p) {
        const int64_t start = batch ? starts[static_cast<size_t>(p / per_batch)] : 0;
        for (int64_t s = 0; s < len; ++s) {
          const int64_t at = circular_ ? ((start + s) % max_len + max_len) % max_len : start + s;
          std::copy_n(upd + (p * len + s) * inner, inner, dst + (p * max_len + at) * inner);
        }
      }
    });
  }

 private:
  int64_t axis_ = -2;
  bool circular_ = false;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "TensorScatter", 24, ONNXGEN_LATEST, TensorScatter);

}  // namespace onnxgen
