// BitCast: the input's bytes reread as another element type of the same width. The output
// shares the input's buffer, since no element changes.
#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class BitCast : public OpKernel {
 public:
  explicit BitCast(const KernelInit& init) : to_(static_cast<DataType>(init.attrs().get_int("to"))) {
    ONNXGEN_CHECK(is_supported(to_) && to_ != DataType::kString, "unsupported target type ",
                  static_cast<int>(to_));
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.dtype() != DataType::kString, "BitCast does not take strings");
    ONNXGEN_CHECK(element_size(x.dtype()) == element_size(to_), "BitCast from ", to_string(x.dtype()), " to ",
                  to_string(to_), " changes the element width");
    if (x.numel() == 0) {
      ctx.allocate(0, to_, x.shape());
      return;
    }
    ctx.set_output(0, Tensor(to_, x.shape(), x.buffer(), x.byte_offset()));
  }

 private:
  DataType to_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "BitCast", 26, ONNXGEN_LATEST, BitCast);

}  // namespace onnxgen
