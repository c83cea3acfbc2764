// LayerNormalization, SimplifiedLayerNormalization (RMSNorm) and the com.microsoft Skip* variants
// on CUDA, over the last axis only (what LLM exports use); one kernel serves all four.
#include "runtime/ops/cuda/cuda_kernel.h"

namespace onnxgen {
namespace {

class Norm : public OpKernel {
 public:
  Norm(const KernelInit& init, bool simplified, bool skip)
      : simplified_(simplified), skip_(skip), epsilon_(init.attrs().get_float("epsilon", 1e-5f)) {
    if (!skip) {
      const int64_t axis = init.attrs().get_int("axis", -1);
      ONNXGEN_CHECK(axis == -1, init.node.op_type, " on cuda normalises the last axis only, got axis ", axis);
    }
    // Refused here, the node runs on the CPU instead.
    for (size_t i : {size_t{1}, size_t{2}})
      ONNXGEN_CHECK(i >= init.node.outputs.size() || init.node.outputs[i].empty(), init.node.op_type,
                    " mean/inverse-std outputs are not computed on cuda");
  }
  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const cuda::ElemType type = cuda_float_type(x, ctx.node().op_type.c_str());
    ONNXGEN_CHECK(x.rank() >= 1, ctx.node().op_type, " needs a tensor of rank >= 1");
    cuda::NormArgs a;
    a.cols = x.dim(x.rank() - 1);
    a.rows = a.cols ? x.numel() / a.cols : 0;
    a.epsilon = epsilon_;
    a.simplified = simplified_;
    a.x = x.raw();
    // Skip variants: (input, skip, gamma, [beta,] [bias]); plain: (X, scale, [B]).
    size_t next = 1;
    if (skip_) {
      const Tensor& skip = ctx.required(next++);
      ONNXGEN_CHECK(skip.dtype() == x.dtype() && skip.numel() > 0 && x.numel() % skip.numel() == 0 &&
                        skip.dim(skip.rank() - 1) == a.cols,
                    ctx.node().op_type, " skip ", skip.describe(), " does not broadcast to ", x.describe());
      a.skip = skip.raw();
      a.skip_rows = skip.numel() / a.cols;
    }
    auto vector_input = [&](size_t i) -> const void* {
      const Tensor* t = ctx.input(i);
      if (!t) return nullptr;
      ONNXGEN_CHECK(t->dtype() == x.dtype() && t->numel() == a.cols, ctx.node().op_type, " input ", i, " must be ",
                    a.cols, " values of ", to_string(x.dtype()), ", got ", t->describe());
      return t->raw();
    };
    a.gamma = vector_input(next++);
    ONNXGEN_CHECK(a.gamma, ctx.node().op_type, " needs its scale");
    if (!simplified_) a.beta = vector_input(next++);
    if (skip_) a.bias = vector_input(next++);
    a.y = ctx.allocate(0, x.dtype(), x.shape()).raw();
    // Skip variants return input + skip (+ bias) as output 3; the statistics outputs stay unset.
    if (skip_ && ctx.output_wanted(3)) a.sum = ctx.allocate(3, x.dtype(), x.shape()).raw();
    cuda::layer_norm(type, a, stream_of(ctx));
  }

 private:
  bool simplified_, skip_;
  float epsilon_;
};

struct LayerNorm : Norm {
  explicit LayerNorm(const KernelInit& init) : Norm(init, false, false) {}
};
struct SimplifiedLayerNorm : Norm {
  explicit SimplifiedLayerNorm(const KernelInit& init) : Norm(init, true, false) {}
};
struct SkipLayerNorm : Norm {
  explicit SkipLayerNorm(const KernelInit& init) : Norm(init, false, true) {}
};
struct SkipSimplifiedLayerNorm : Norm {
  explicit SkipSimplifiedLayerNorm(const KernelInit& init) : Norm(init, true, true) {}
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("", "LayerNormalization", 17, ONNXGEN_LATEST, LayerNorm);
ONNXGEN_REGISTER_CUDA_KERNEL("", "SimplifiedLayerNormalization", 1, ONNXGEN_LATEST, SimplifiedLayerNorm);
ONNXGEN_REGISTER_CUDA_KERNEL("com.microsoft", "SkipLayerNormalization", 1, ONNXGEN_LATEST, SkipLayerNorm);
ONNXGEN_REGISTER_CUDA_KERNEL("com.microsoft", "SkipSimplifiedLayerNormalization", 1, ONNXGEN_LATEST,
                             SkipSimplifiedLayerNorm);

}  // namespace onnxgen
