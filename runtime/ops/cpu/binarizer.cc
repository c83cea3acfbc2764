// ai.onnx.ml Binarizer: 1 where x > threshold, else 0, in x's type.
#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class Binarizer : public OpKernel {
 public:
  explicit Binarizer(const KernelInit& init) : threshold_(init.attrs().get_float("threshold", 0)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    dispatch_numeric(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i)
        out[i] = T(static_cast<C>(static_cast<double>(static_cast<C>(in[i])) > threshold_ ? 1 : 0));
    });
  }

 private:
  double threshold_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("ai.onnx.ml", "Binarizer", 1, ONNXGEN_LATEST, Binarizer);

}  // namespace onnxgen
