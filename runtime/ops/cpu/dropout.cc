// Dropout at inference: the output is the input (shared, not copied) and the mask keeps every
// element. Training-mode dropout with a non-zero ratio is random and has no use in this runtime,
// so it is rejected instead of silently returning the input.
#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class Dropout : public OpKernel {
 public:
  // Opset 12 moved ratio and training_mode to inputs; before 10 the mask has the input's type.
  explicit Dropout(const KernelInit& init) : opset_(init.opset) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor* training = opset_ >= 12 ? ctx.input(2) : nullptr;
    if (training && training->numel() == 1 && training->to_int64(0) != 0) {
      const Tensor* ratio = ctx.input(1);
      const double r = ratio && ratio->numel() == 1 ? ratio->to_double(0) : 0.5;
      ONNXGEN_CHECK(r == 0, "Dropout: training mode with ratio ", r, " is not supported");
    }
    ctx.set_output(0, x);
    if (!ctx.output_wanted(1)) return;
    const DataType mask_type = opset_ >= 10 ? DataType::kBool : x.dtype();
    Tensor& mask = ctx.allocate(1, mask_type, x.shape());
    auto fill_ones = [&](auto tag) {
      using T = decltype(tag);
      std::fill(mask.data<T>(), mask.data<T>() + mask.numel(), T(compute_t<T>(1)));
    };
    if (mask_type == DataType::kBool) fill_ones(bool{});
    else dispatch_numeric(mask_type, fill_ones);
  }

 private:
  int64_t opset_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Dropout", 1, ONNXGEN_LATEST, Dropout);

}  // namespace onnxgen
