// Conv: N-D grouped, strided, dilated, padded convolution. Float32 runs on oneDNN; other
// float types (and shapes oneDNN declines) run im2col + GEMM in their compute type.
// com.onnxgen FusedConv (made by ConvFusion) is a Conv whose output passes through `activation`.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/compute_view.h"
#include "runtime/ops/cpu/conv_im2col.h"
#include "runtime/ops/cpu/onednn_conv.h"

namespace onnxgen {
namespace {

class Conv : public OpKernel {
 public:
  explicit Conv(const KernelInit& init)
      : attrs_(WindowAttrs::parse(init.attrs())), group_(init.attrs().get_int("group", 1)) {
    const std::string activation = init.attrs().get_string("activation", "");
    ONNXGEN_CHECK(activation.empty() || activation == "Relu", "unsupported fused activation '", activation, "'");
    relu_ = activation == "Relu";
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& w = ctx.required(1);
    const Tensor* b = ctx.input(2);
    ONNXGEN_CHECK(w.dtype() == x.dtype(), "weights are ", to_string(w.dtype()), ", input is ", to_string(x.dtype()));
    const ConvProblem p = conv_problem(attrs_, group_, x.shape(), w.shape());
    if (b) {
      ONNXGEN_CHECK(b->dtype() == x.dtype(), "bias is ", to_string(b->dtype()), ", input is ", to_string(x.dtype()));
      ONNXGEN_CHECK(b->rank() == 1 && b->dim(0) == p.out_channels, "bias must be [", p.out_channels, "], got ",
                    b->describe());
    }
    Tensor& y = ctx.allocate(0, x.dtype(), p.output_shape());
    if (y.numel() == 0) return;
    if (x.dtype() == DataType::kFloat &&
        onednn_.run(p, x.data<float>(), w.data<float>(), b ? b->data<float>() : nullptr, relu_, y.data<float>()))
      return;
    with_compute_views(x, w, b, y, [&](const auto* xc, const auto* wc, const auto* bc, auto* yc) {
      conv_im2col(ctx.pool(), p, xc, wc, bc, yc);
      using C = std::remove_pointer_t<decltype(yc)>;
      if (relu_)
        for (int64_t i = 0; i < y.numel(); ++i) yc[i] = std::max(yc[i], C(0));
    });
  }

 private:
  WindowAttrs attrs_;
  int64_t group_;
  bool relu_ = false;
  OnednnConv onednn_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Conv", 1, ONNXGEN_LATEST, Conv);
ONNXGEN_REGISTER_KERNEL("com.onnxgen", "FusedConv", 1, ONNXGEN_LATEST, Conv);

}  // namespace onnxgen
