// com.microsoft GatherBlockQuantized on CUDA (the int4 embedding of onnxruntime-genai's exports),
// with the CPU kernel's contract (ops/gather_block_quantized_inputs.h). The indices (token ids)
// are read on the device, so out-of-range ones are clamped as Gather's are.
#include "runtime/ops/cuda/cuda_kernel.h"
#include "runtime/ops/gather_block_quantized_inputs.h"

namespace onnxgen {
namespace {

class GatherBlockQuantized : public OpKernel {
 public:
  explicit GatherBlockQuantized(const KernelInit& init) : attrs_(init) {}

  void compute(KernelContext& ctx) override {
    const BlockQuantizedGeometry geo = check_block_quantized_inputs(ctx, attrs_);
    const Tensor& indices = ctx.required(1);
    const Tensor& scales = ctx.required(2);
    ONNXGEN_CHECK(indices.dtype() == DataType::kInt64 || indices.dtype() == DataType::kInt32,
                  "GatherBlockQuantized indices on cuda must be int32 or int64, got ", indices.describe());
    cuda::BlockGatherArgs p;
    p.outer = geo.outer;
    p.rows = geo.rows;
    p.inner = geo.inner;
    p.num_indices = indices.numel();
    p.q_dim = geo.q_dim;
    p.q_stride = geo.q_stride;
    p.q_blocks = geo.q_blocks;
    p.block_size = attrs_.block;
    p.bits = attrs_.bits;
    p.codes = ctx.required(0).data<uint8_t>();
    p.scales = scales.raw();
    if (const Tensor* zp = ctx.input(3)) p.zero_points = zp->data<uint8_t>();
    p.indices = indices.raw();
    p.indices_int64 = indices.dtype() == DataType::kInt64;
    Tensor& y = ctx.allocate(0, scales.dtype(), geo.out_shape);
    cuda::gather_block_quantized(p, cuda_float_type(scales, "GatherBlockQuantized scales"), y.raw(), stream_of(ctx));
  }

 private:
  BlockQuantizedAttrs attrs_;
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("com.microsoft", "GatherBlockQuantized", 1, ONNXGEN_LATEST, GatherBlockQuantized);

}  // namespace onnxgen
