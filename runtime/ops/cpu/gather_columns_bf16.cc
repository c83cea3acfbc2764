// com.onnxgen GatherColumnsBf16(W, ids) = Gather(W, ids, axis=1) for a float32 [K, N] initializer
// W read through its bfloat16 copy (Bf16WeightCopy), whose row j is W's column j: the lookup of an
// embedding tied to the output projection (TiedEmbeddingGather's form) under --weight-dtype bf16.
// Gathering W's columns from the model file would touch a page of every row for each token, and
// over a conversation map the whole float32 table back in beside its copy.
#include "runtime/core/scratch.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/bf16_weight_copy.h"
#include "runtime/ops/cpu/indices.h"

namespace onnxgen {
namespace {

class GatherColumnsBf16 : public OpKernel {
 public:
  explicit GatherColumnsBf16(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const Tensor& w = ctx.required(0);
    const Tensor& ids = ctx.required(1);
    ONNXGEN_CHECK(w.dtype() == DataType::kFloat && w.rank() == 2,
                  "GatherColumnsBf16 takes a float32 [K, N] table, got ", w.describe());
    const std::span<int64_t> columns =
        thread_scratch<int64_t, struct GatherColumnsBf16Ids>(static_cast<size_t>(ids.numel()));
    read_indices(ids, w.dim(1), "GatherColumnsBf16", columns);
    Shape out_shape{w.dim(0)};
    out_shape.insert(out_shape.end(), ids.shape().begin(), ids.shape().end());
    Tensor& y = ctx.allocate(0, DataType::kFloat, out_shape);
    const Bf16WeightCopy& copy = weights_.get(ctx.pool(), w);
    const int64_t k = copy.k(), count = static_cast<int64_t>(columns.size());
    float* out = y.data<float>();
    for (int64_t i = 0; i < count; ++i) {
      const BFloat16* row = copy.data() + columns[static_cast<size_t>(i)] * k;
      for (int64_t kk = 0; kk < k; ++kk) out[kk * count + i] = static_cast<float>(row[kk]);
    }
  }

 private:
  Bf16WeightInput weights_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.onnxgen", "GatherColumnsBf16", 1, ONNXGEN_LATEST, GatherColumnsBf16);

}  // namespace onnxgen
