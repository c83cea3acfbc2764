// com.onnxgen MatMulBf16Weights(A, B) = MatMul(A, B) for float32 A and a float32 initializer B of
// [K, N] that is read as bfloat16, as Bf16WeightsPass leaves the MatMuls of a model loaded with
// bfloat16 weights. B is cast once, at the first run, and the model file's pages it came from are
// handed back, so a decode step streams half the bytes and a prompt runs oneDNN's bf16 GEMM. The
// copy is stored transposed, [N][K]: a decode step's few rows of A then meet B as dot products
// with each output's weights contiguous, one stream per thread with no partial sums to add up
// (SmolLM2's 576-wide projections at one row: 17-20 -> 29-33 GB/s; gemv_f32_bench bf16/bf16t).
#include <algorithm>
#include <mutex>

#include "runtime/core/huge_page_arena.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/batched_gemm.h"
#include "runtime/ops/cpu/half_convert.h"
#include "runtime/ops/cpu/mapped_weights.h"
#include "runtime/ops/cpu/matmul_dims.h"

namespace onnxgen {
namespace {

// Cast in slabs of source rows, so that at most one slab of the float32 source is resident beside
// the cast copy, and within a slab in square tiles, which transpose in cache.
constexpr int64_t kCastTile = 64;

class MatMulBf16Weights : public OpKernel {
 public:
  explicit MatMulBf16Weights(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const Tensor& a = ctx.required(0);
    const Tensor& b = ctx.required(1);
    ONNXGEN_CHECK(a.dtype() == DataType::kFloat && b.dtype() == DataType::kFloat && b.rank() == 2,
                  "MatMulBf16Weights takes float32 A and a float32 [K, N] B, got ", a.describe(), " x ", b.describe());
    const MatMulDims d = matmul_dims(a.shape(), b.shape());
    Tensor& y = ctx.allocate(0, DataType::kFloat, d.out_shape);
    const int64_t rows = num_elements(d.problem.batch_a) * d.problem.m;
    gemm_bf16_weights(ctx.pool(), rows, d.problem.n, d.problem.k, a.data<float>(), cast_once(ctx.pool(), b),
                      y.data<float>());
  }

 private:
  // B is an initializer, the same for every run of a session; the pointer check only guards a
  // kernel instance that would be handed another B.
  const BFloat16* cast_once(ThreadPool& pool, const Tensor& b) {
    std::lock_guard<std::mutex> lock(mu_);
    const float* src = b.data<float>();
    if (cast_ && source_ == src) return cast_.get();
    const int64_t k = b.dim(0), n = b.dim(1);
    cast_ = {static_cast<BFloat16*>(huge_page_arena::allocate(static_cast<size_t>(std::max<int64_t>(k * n, 1)) * 2)),
             huge_page_arena::free};
    BFloat16* dst = cast_.get();
    const bool release = is_mapped_initializer(b);
    for (int64_t k0 = 0; k0 < k; k0 += kCastTile) {
      const int64_t k1 = std::min(k, k0 + kCastTile);
      pool.parallel_for((n + kCastTile - 1) / kCastTile, 1, [&](int64_t begin, int64_t end) {
        for (int64_t j0 = begin * kCastTile; j0 < std::min(n, end * kCastTile); j0 += kCastTile)
          for (int64_t j = j0; j < std::min(n, j0 + kCastTile); ++j)
            for (int64_t kk = k0; kk < k1; ++kk) dst[j * k + kk] = float_to_bfloat16(src[kk * n + j]);
      });
      if (release) release_mapped_pages(src + k0 * n, static_cast<size_t>((k1 - k0) * n) * sizeof(float));
    }
    source_ = src;
    return dst;
  }

  std::mutex mu_;
  const float* source_ = nullptr;
  std::unique_ptr<BFloat16[], void (*)(void*)> cast_{nullptr, nullptr};
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.onnxgen", "MatMulBf16Weights", 1, ONNXGEN_LATEST, MatMulBf16Weights);

}  // namespace onnxgen
