// RotaryEmbedding (ONNX opset 23 and com.microsoft) on CUDA, with the CPU kernel's contract
// (ops/rotary_embedding_inputs.h). The cos/sin caches are initializers, uploaded once with the
// weights; position_ids are read on the device, so no step waits for a copy back.
#include "runtime/ops/cuda/cuda_kernel.h"
#include "runtime/ops/rotary_embedding_inputs.h"

namespace onnxgen {
namespace {

void rotate(KernelContext& ctx, const RotaryInputs& r, const RotaryAttrs& attrs, const Tensor& cos, const Tensor& sin) {
  const Tensor& x = ctx.required(0);
  const cuda::ElemType type = cuda_float_type(x, "RotaryEmbedding");
  cuda::RotaryArgs a;
  a.batch = r.batch;
  a.seq = r.seq;
  a.heads = r.heads;
  a.head_size = r.head_size;
  a.b_stride = r.b_stride;
  a.s_stride = r.s_stride;
  a.rot = r.rot;
  a.cache_rows = r.cache_rows;
  a.interleaved = attrs.interleaved;
  if (r.positions) {
    ONNXGEN_CHECK(r.positions->dtype() == DataType::kInt64 || r.positions->dtype() == DataType::kInt32,
                  "RotaryEmbedding position_ids on cuda must be int64 or int32, got ", r.positions->describe());
    a.positions = r.positions->raw();
    a.positions_int64 = r.positions->dtype() == DataType::kInt64;
    a.start_offset = r.start_offset;
  }
  Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
  cuda::rotary_embedding(a, type, x.raw(), cos.raw(), sin.raw(), y.raw(), stream_of(ctx));
}

class OnnxRotaryEmbedding : public OpKernel {
 public:
  explicit OnnxRotaryEmbedding(const KernelInit& init) : attrs_(init) {}
  void compute(KernelContext& ctx) override {
    rotate(ctx, check_onnx_rotary(ctx, attrs_), attrs_, ctx.required(1), ctx.required(2));
  }

 private:
  RotaryAttrs attrs_;
};

class ContribRotaryEmbedding : public OpKernel {
 public:
  explicit ContribRotaryEmbedding(const KernelInit& init) : attrs_(init) {}
  void compute(KernelContext& ctx) override {
    rotate(ctx, check_contrib_rotary(ctx, attrs_), attrs_, ctx.required(2), ctx.required(3));
  }

 private:
  RotaryAttrs attrs_;
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("", "RotaryEmbedding", 23, ONNXGEN_LATEST, OnnxRotaryEmbedding);
ONNXGEN_REGISTER_CUDA_KERNEL("com.microsoft", "RotaryEmbedding", 1, ONNXGEN_LATEST, ContribRotaryEmbedding);

}  // namespace onnxgen
