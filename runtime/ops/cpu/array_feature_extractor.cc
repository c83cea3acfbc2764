// ai.onnx.ml ArrayFeatureExtractor: picks the given indices along the last axis (a 1-D input counts as one row).
#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class ArrayFeatureExtractor : public OpKernel {
 public:
  explicit ArrayFeatureExtractor(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const std::vector<int64_t> picks = ctx.required(1).to_int64_vector();
    ONNXGEN_CHECK(x.rank() >= 1 && !picks.empty(), "needs a non-scalar input and at least one index");
    const int64_t width = x.dim(x.rank() - 1), rows = width == 0 ? 0 : x.numel() / width;
    for (int64_t p : picks) ONNXGEN_CHECK(p >= 0 && p < width, "index ", p, " outside [0, ", width, ")");
    Shape shape = x.rank() == 1 ? Shape{1} : x.shape();
    shape.back() = static_cast<int64_t>(picks.size());
    Tensor& y = ctx.allocate(0, x.dtype(), shape);
    dispatch_all(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t r = 0; r < rows; ++r)
        for (size_t j = 0; j < picks.size(); ++j) out[r * static_cast<int64_t>(picks.size()) + static_cast<int64_t>(j)] = in[r * width + picks[j]];
    });
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("ai.onnx.ml", "ArrayFeatureExtractor", 1, ONNXGEN_LATEST, ArrayFeatureExtractor);

}  // namespace onnxgen
