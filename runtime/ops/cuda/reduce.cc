// ReduceSum and ReduceMean on CUDA over any axes (decomposed RMSNorm in Optimum's exports takes a
// ReduceMean per norm), float types. Axes given as an input are read on the host.
#include "runtime/ops/cpu/reduce_axes.h"
#include "runtime/ops/cuda/cuda_kernel.h"

namespace onnxgen {
namespace {

template <cuda::ReduceOp Op, bool kAxesFromInput>
class Reduce : public OpKernel {
 public:
  explicit Reduce(const KernelInit& init)
      : keepdims_(init.attrs().get_int("keepdims", 1) != 0),
        noop_with_empty_axes_(init.attrs().get_int("noop_with_empty_axes", 0) != 0),
        axes_(init.attrs().get_ints("axes")) {}
  bool host_input(size_t i) const override { return kAxesFromInput && i == 1; }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const cuda::ElemType type = cuda_float_type(x, ctx.node().op_type.c_str());
    std::vector<int64_t> axes = axes_;
    if (const Tensor* a = kAxesFromInput ? ctx.input(1) : nullptr; a && a->defined()) {
      ONNXGEN_CHECK(is_integer(a->dtype()) && a->rank() <= 1, "axes must be a 1-D integer tensor, got ", a->describe());
      axes = a->to_int64_vector();
    }
    if (axes.empty() && noop_with_empty_axes_) {
      ctx.set_output(0, x);
      return;
    }
    const std::vector<bool> mask = reduced_axes_mask(axes, static_cast<int64_t>(x.rank()));
    Tensor& y = ctx.allocate(0, x.dtype(), reduced_shape(x.shape(), mask, keepdims_));
    cuda::StridedDims kept = dense_view(x.shape()), reduced = kept;
    for (size_t d = 0; d < mask.size(); ++d) (mask[d] ? kept : reduced).dims[d] = 1;
    cuda::reduce(Op, type, x.raw(), kept, reduced, y.raw(), y.numel(), stream_of(ctx));
  }

 private:
  bool keepdims_, noop_with_empty_axes_;
  std::vector<int64_t> axes_;
};

}  // namespace

// ReduceSum took its axes as an input from opset 13, ReduceMean from opset 18.
ONNXGEN_REGISTER_CUDA_KERNEL("", "ReduceSum", 1, 12, Reduce<cuda::ReduceOp::kSum, false>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "ReduceSum", 13, ONNXGEN_LATEST, Reduce<cuda::ReduceOp::kSum, true>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "ReduceMean", 1, 17, Reduce<cuda::ReduceOp::kMean, false>);
ONNXGEN_REGISTER_CUDA_KERNEL("", "ReduceMean", 18, ONNXGEN_LATEST, Reduce<cuda::ReduceOp::kMean, true>);

}  // namespace onnxgen
