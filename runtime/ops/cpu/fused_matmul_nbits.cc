// com.onnxgen FusedMatMulNBits: several com.microsoft MatMulNBits that read the same A (a layer's
// q, k and v projections, or its gate and up), as MatMulNBitsFusion leaves them. Inputs A, then
// (B_i, scales_i) per projection, all initializers; output i is A * dequant(B_i)^T, [..., N_i].
// Attributes as MatMulNBits' (K, block_size, bits 4, accuracy_level 4: int8 compute), but no N.
//
// The weights are packed once, stacked into one matrix, so a step quantises A once and makes one
// pass of the thread pool over all projections' rows: SmolLM2's k and v are 192 rows each, too
// few to keep two threads busy on their own. Each output is the same bits as its MatMulNBits.
#include <array>
#include <string>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/float_staging.h"
#include "runtime/ops/cpu/mapped_weights.h"
#include "runtime/ops/cpu/q4_int8_gemm.h"
#include "runtime/ops/matmul_nbits_inputs.h"

namespace onnxgen {
namespace {

class FusedMatMulNBits : public OpKernel {
 public:
  explicit FusedMatMulNBits(const KernelInit& init)
      : k_(init.attrs().get_int("K")), block_(init.attrs().get_int("block_size")), label_(init.node.label()) {
    const auto& a = init.attrs();
    ONNXGEN_CHECK(a.get_int("bits", 4) == 4 && a.get_int("accuracy_level", 0) == kMatMulNBitsInt8AccuracyLevel,
                  label_, ": FusedMatMulNBits takes 4-bit weights with int8 compute (accuracy_level 4)");
    ONNXGEN_CHECK(k_ > 0 && block_ % 32 == 0 && k_ % block_ == 0, label_, ": K (", k_,
                  ") must be a multiple of block_size (", block_, "), itself a multiple of 32");
    ONNXGEN_CHECK(q4_int8_supported(), label_, ": FusedMatMulNBits needs a CPU with AVX2, FMA and BMI2");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& a_in = ctx.required(0);
    ONNXGEN_CHECK(a_in.rank() >= 1 && a_in.dim(a_in.rank() - 1) == k_ && is_float(a_in.dtype()), label_,
                  ": A must be float [..., ", k_, "], got ", a_in.describe());
    const size_t parts = (ctx.num_inputs() - 1) / 2;
    ONNXGEN_CHECK(ctx.num_inputs() == 1 + 2 * parts && parts == ctx.num_outputs(), label_,
                  ": takes A and a (B, scales) pair per output");
    ONNXGEN_CHECK(parts <= kMaxParts, label_, ": at most ", kMaxParts, " projections, got ", parts);
    // Packed on first use and kept: the inputs are initializers (the fusion's contract). Pages of
    // weights mapped from the model file are handed back as they are packed.
    std::array<Q4Weights, kMaxParts> weights;
    bool release[kMaxParts];
    for (size_t i = 0; i < parts; ++i) {
      const Tensor& b = ctx.required(1 + 2 * i);
      const Tensor& scales = ctx.required(2 + 2 * i);
      ONNXGEN_CHECK(b.dtype() == DataType::kUInt8 && b.rank() == 3 && b.dim(1) * b.dim(2) * 2 == k_ &&
                        b.dim(2) * 2 == block_ && (i + 1 == parts || b.dim(0) % kQ4GroupRows == 0),
                    label_, ": B ", i, " must be uint8 [N, ", k_ / block_, ", ", block_ / 2,
                    "] (N a multiple of ", kQ4GroupRows, " but in the last), got ", b.describe());
      ONNXGEN_CHECK(scales.dtype() == DataType::kFloat && scales.numel() == b.dim(0) * (k_ / block_), label_,
                    ": scales ", i, " must hold ", b.dim(0) * (k_ / block_), " floats, got ", scales.describe());
      weights[i] = {b.data<uint8_t>(), scales.data<float>(), b.dim(0), k_, block_};
      release[i] = is_mapped_initializer(b) && is_mapped_initializer(scales);
    }
    const Q4PackedWeights& w = packed_.get(ctx.pool(), std::span<const Q4Weights>(weights.data(), parts),
                                           std::span<const bool>(release, parts));
    const Tensor a = to_float32(a_in);
    const int64_t m = a.numel() / k_;
    thread_local Q4QuantizedA quantized;
    q4_quantize_a(a.data<float>(), m, k_, block_, quantized);
    std::array<Tensor*, kMaxParts> y;
    std::array<Tensor, kMaxParts> work;
    std::array<Q4Output, kMaxParts> outputs;
    for (size_t i = 0; i < parts; ++i) {
      Shape shape = a.shape();
      shape.back() = ctx.required(1 + 2 * i).dim(0);
      y[i] = &ctx.allocate(i, a_in.dtype(), shape);
      work[i] = float_workspace(*y[i]);
      outputs[i] = {work[i].data<float>(), shape.back()};
    }
    q4_int8_gemm(ctx.pool(), w, quantized, std::span<const Q4Output>(outputs.data(), parts));
    for (size_t i = 0; i < parts; ++i) finish_float_output(work[i], *y[i]);
  }

 private:
  static constexpr size_t kMaxParts = 8;
  const int64_t k_, block_;
  const std::string label_;
  Q4PackedOnce packed_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.onnxgen", "FusedMatMulNBits", 1, ONNXGEN_LATEST, FusedMatMulNBits);

}  // namespace onnxgen
