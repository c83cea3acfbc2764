// com.microsoft GatherBlockQuantized: Gather along gather_axis from a block-quantized table
// (typically the int4/uint8 embedding of onnxruntime-genai's int4 exports), dequantising what it
// gathers: w = (code - zero_point) * scale, with one scale (and zero point) per block_size codes
// along quantize_axis. uint8 data holds one 8-bit code or two 4-bit codes (low nibble first) per
// byte, in which case the logical last dim is twice the stored one; zero points pack the same
// way and default to the middle of the code range. The output has the scales' type.
#include <vector>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/float_staging.h"
#include "runtime/ops/gather_block_quantized_inputs.h"

namespace onnxgen {
namespace {

class GatherBlockQuantized : public OpKernel {
 public:
  explicit GatherBlockQuantized(const KernelInit& init) : attrs_(init) {}

  void compute(KernelContext& ctx) override {
    const BlockQuantizedGeometry geo = check_block_quantized_inputs(ctx, attrs_);
    const Tensor& data = ctx.required(0);
    const Tensor& indices = ctx.required(1);
    const Tensor& scales_in = ctx.required(2);
    const Tensor* zp = ctx.input(3);
    const int64_t rows = geo.rows, inner = geo.inner, q_dim = geo.q_dim, q_stride = geo.q_stride;
    std::vector<int64_t> picked(static_cast<size_t>(indices.numel()));
    for (int64_t i = 0; i < indices.numel(); ++i) {
      int64_t v = indices.to_int64(i);
      if (v < 0) v += rows;
      ONNXGEN_CHECK(v >= 0 && v < rows, "GatherBlockQuantized index ", indices.to_int64(i), " outside [", -rows, ", ",
                    rows, ")");
      picked[static_cast<size_t>(i)] = v;
    }
    Tensor& out = ctx.allocate(0, scales_in.dtype(), geo.out_shape);
    const Tensor scales = to_float32(scales_in);
    const uint8_t* codes = data.data<uint8_t>();
    const uint8_t* zps = zp ? zp->data<uint8_t>() : nullptr;
    const float* sc = scales.data<float>();
    const int bits = attrs_.bits, per_byte = 8 / bits, mask = (1 << bits) - 1;
    const float default_zp = static_cast<float>(1 << (bits - 1));
    auto unpack = [&](const uint8_t* p, int64_t i) {
      return (p[i / per_byte] >> ((i % per_byte) * bits)) & mask;
    };
    std::vector<float> row(static_cast<size_t>(inner));
    const int64_t n_picked = static_cast<int64_t>(picked.size());
    for (int64_t o = 0; o < geo.outer; ++o)
      for (int64_t j = 0; j < n_picked; ++j) {
        const int64_t base = (o * rows + picked[static_cast<size_t>(j)]) * inner;
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t at = base + i;
          const int64_t hi = at / (q_dim * q_stride), c = (at / q_stride) % q_dim, lo = at % q_stride;
          const int64_t s_at = (hi * geo.q_blocks + c / attrs_.block) * q_stride + lo;
          const float z = zps ? static_cast<float>(unpack(zps, s_at)) : default_zp;
          row[static_cast<size_t>(i)] = (static_cast<float>(unpack(codes, at)) - z) * sc[s_at];
        }
        store_float32(row.data(), inner, out, (o * n_picked + j) * inner);
      }
  }

 private:
  BlockQuantizedAttrs attrs_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.microsoft", "GatherBlockQuantized", 1, ONNXGEN_LATEST, GatherBlockQuantized);

}  // namespace onnxgen
