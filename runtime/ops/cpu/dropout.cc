// Dropout. At inference (the case that matters here) the output is the input, shared rather
// than copied, and the mask keeps every element. Training mode (opset 12+) draws each element's
// keep/drop from MT19937 seeded by `seed`, turning pairs of 32-bit draws into a double in [0, 1)
// the way NumPy's legacy generator does, so a seeded run is reproducible across runtimes that
// follow that convention (ONNX's reference outputs do).
#include <random>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/numeric_or_bool.h"

namespace onnxgen {
namespace {

double uniform_double(std::mt19937& gen) {
  const uint32_t a = gen() >> 5, b = gen() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

class Dropout : public OpKernel {
 public:
  // Opset 12 moved ratio and training_mode to inputs; before 10 the mask has the input's type.
  explicit Dropout(const KernelInit& init)
      : opset_(init.opset),
        seed_(init.attrs().has("seed") ? static_cast<uint32_t>(init.attrs().get_int("seed")) : std::random_device{}()) {
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor* training = opset_ >= 12 ? ctx.input(2) : nullptr;
    double ratio = 0;
    if (training && training->numel() == 1 && training->to_int64(0) != 0) {
      const Tensor* r = ctx.input(1);
      ratio = r && r->numel() == 1 ? r->to_double(0) : 0.5;
      ONNXGEN_CHECK(ratio >= 0 && ratio < 1, "Dropout: ratio ", ratio, " is outside [0, 1)");
    }
    const DataType mask_type = opset_ >= 10 ? DataType::kBool : x.dtype();
    if (ratio == 0) {
      ctx.set_output(0, x);
      if (ctx.output_wanted(1)) fill_with(ctx.allocate(1, mask_type, x.shape()), 1);
      return;
    }
    std::mt19937 gen(seed_);
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    std::vector<bool> keep(static_cast<size_t>(x.numel()));
    for (size_t i = 0; i < keep.size(); ++i) keep[i] = uniform_double(gen) >= ratio;
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const C scale = static_cast<C>(1.0 / (1.0 - ratio));
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (size_t i = 0; i < keep.size(); ++i) out[i] = T(keep[i] ? static_cast<C>(in[i]) * scale : C(0));
    });
    if (!ctx.output_wanted(1)) return;
    bool* mask = ctx.allocate(1, DataType::kBool, x.shape()).data<bool>();
    std::copy(keep.begin(), keep.end(), mask);
  }

 private:
  int64_t opset_;
  uint32_t seed_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Dropout", 1, ONNXGEN_LATEST, Dropout);

}  // namespace onnxgen
