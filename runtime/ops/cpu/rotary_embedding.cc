// RotaryEmbedding, ONNX opset 23 and com.microsoft (contract: ops/rotary_embedding_inputs.h).
// Only the cache rows the tokens read are staged as float32: a model's caches span its whole
// context (Qwen2.5's are 32768 rows), and converting them on every call cost a decode step more
// than the rest of the model.
#include <algorithm>
#include <vector>

#include "runtime/core/scratch.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/float_staging.h"
#include "runtime/ops/cpu/rotary.h"
#include "runtime/ops/rotary_embedding_inputs.h"

namespace onnxgen {
namespace {

// y = x rotated, token t by cache row rows[t].
void rotate_tokens(KernelContext& ctx, const Tensor& x_in, const Tensor& cos_in, const Tensor& sin_in,
                   const RotaryInputs& r, bool interleaved) {
  const int64_t half = r.rot / 2;
  const auto staged = static_cast<size_t>(r.tokens() * half);
  const std::span<float> cos_sin = thread_scratch<float, struct CosSinRows>(2 * staged);
  const std::span<float> cos = cos_sin.first(staged), sin = cos_sin.last(staged);
  for (int64_t t = 0; t < r.tokens(); ++t) {
    const int64_t row = r.row(t);
    load_float32(cos_in, row * half, half, cos.data() + t * half);
    load_float32(sin_in, row * half, half, sin.data() + t * half);
  }
  const Tensor x = to_float32(x_in);
  Tensor& y_out = ctx.allocate(0, x_in.dtype(), x_in.shape());
  const Tensor y = float_workspace(y_out);
  const float* xf = x.data<float>();
  float* yf = y.data<float>();
  ctx.pool().parallel_for(r.tokens(), std::max<int64_t>(1, 4096 / std::max<int64_t>(1, r.heads * r.head_size)),
                          [&](int64_t begin, int64_t end) {
                            for (int64_t t = begin; t < end; ++t) {
                              const int64_t b = t / r.seq, s = t % r.seq;
                              for (int64_t h = 0; h < r.heads; ++h) {
                                const int64_t at = b * r.b_stride + s * r.s_stride + h * r.h_stride;
                                rotate_head(xf + at, yf + at, cos.data() + t * half, sin.data() + t * half, r.rot,
                                            r.head_size, interleaved);
                              }
                            }
                          });
  finish_float_output(y, y_out);
}

class OnnxRotaryEmbedding : public OpKernel {
 public:
  explicit OnnxRotaryEmbedding(const KernelInit& init) : attrs_(init) {}
  void compute(KernelContext& ctx) override {
    const RotaryInputs r = check_onnx_rotary(ctx, attrs_);
    rotate_tokens(ctx, ctx.required(0), ctx.required(1), ctx.required(2), r, attrs_.interleaved);
  }

 private:
  RotaryAttrs attrs_;
};

class ContribRotaryEmbedding : public OpKernel {
 public:
  explicit ContribRotaryEmbedding(const KernelInit& init) : attrs_(init) {}
  void compute(KernelContext& ctx) override {
    const RotaryInputs r = check_contrib_rotary(ctx, attrs_);
    rotate_tokens(ctx, ctx.required(0), ctx.required(2), ctx.required(3), r, attrs_.interleaved);
  }

 private:
  RotaryAttrs attrs_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "RotaryEmbedding", 23, ONNXGEN_LATEST, OnnxRotaryEmbedding);
ONNXGEN_REGISTER_KERNEL("com.microsoft", "RotaryEmbedding", 1, ONNXGEN_LATEST, ContribRotaryEmbedding);

}  // namespace onnxgen
