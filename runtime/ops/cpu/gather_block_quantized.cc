// com.microsoft GatherBlockQuantized: Gather along gather_axis from a block-quantized table
// (typically the int4/uint8 embedding of onnxruntime-genai's int4 exports), dequantising what it
// gathers: w = (code - zero_point) * scale, with one scale (and zero point) per block_size codes
// along quantize_axis. uint8 data holds one 8-bit code or two 4-bit codes (low nibble first) per
// byte, in which case the logical last dim is twice the stored one; zero points pack the same
// way and default to the middle of the code range. The output has the scales' type.
#include <algorithm>
#include <span>

#include "runtime/core/scratch.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/float_staging.h"
#include "runtime/ops/cpu/mapped_weights.h"
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
    const Tensor& scales = ctx.required(2);
    const Tensor* zp = ctx.input(3);
    const int64_t rows = geo.rows, inner = geo.inner, n_picked = indices.numel();
    const std::span<int64_t> picked = thread_scratch<int64_t, struct PickedRows>(static_cast<size_t>(n_picked));
    for (int64_t i = 0; i < n_picked; ++i) {
      int64_t v = indices.to_int64(i);
      if (v < 0) v += rows;
      ONNXGEN_CHECK(v >= 0 && v < rows, "GatherBlockQuantized index ", indices.to_int64(i), " outside [", -rows, ", ",
                    rows, ")");
      picked[static_cast<size_t>(i)] = v;
    }
    Tensor& out = ctx.allocate(0, scales.dtype(), geo.out_shape);
    // A row's codes all along the quantize axis, starting on a byte (the embedding layout):
    // decoded block by block.
    const bool whole_rows = geo.outer == 1 && geo.q_stride == 1 && geo.q_dim == inner && inner * attrs_.bits % 8 == 0;
    const std::span<float> row = thread_scratch<float, struct GatheredRow>(static_cast<size_t>(inner + geo.q_blocks));
    const std::span<uint8_t> bytes = thread_scratch<uint8_t, struct GatheredBytes>(
        whole_rows ? static_cast<size_t>(inner + geo.q_blocks * static_cast<int64_t>(element_size(scales.dtype()))) : 0);
    for (int64_t o = 0; o < geo.outer; ++o)
      for (int64_t j = 0; j < n_picked; ++j) {
        const int64_t r = picked[static_cast<size_t>(j)];
        if (whole_rows) decode_row(data, scales, zp, geo, r, row.data(), bytes.data());
        else decode_strided(data, scales, zp, geo, (o * rows + r) * inner, row.data());
        store_float32(row.data(), inner, out, (o * n_picked + j) * inner);
      }
  }

 private:
  int code(const uint8_t* p, int64_t i) const {
    const int per_byte = 8 / attrs_.bits;
    return (p[i / per_byte] >> ((i % per_byte) * attrs_.bits)) & ((1 << attrs_.bits) - 1);
  }

  float zero_point(const Tensor* zp, int64_t i) const {
    return zp ? static_cast<float>(code(zp->data<uint8_t>(), i)) : static_cast<float>(1 << (attrs_.bits - 1));
  }

  // Row r of [rows, q_dim] codes with [rows, q_blocks] scales, its codes and scales copied out
  // first (read_tensor_bytes: a table mapped from the model file is read through the file, so
  // gathering rows maps none of its pages into the process; when it is also the tied output
  // projection, MatMulNBits keeps its own packed copy and the file's pages would be a second).
  // `out` has room for the row and `scratch` for its bytes.
  void decode_row(const Tensor& data, const Tensor& scales, const Tensor* zp, const BlockQuantizedGeometry& geo,
                  int64_t r, float* out, uint8_t* scratch) const {
    const auto code_bytes = static_cast<size_t>(geo.inner * attrs_.bits / 8);
    const size_t scale_bytes = static_cast<size_t>(geo.q_blocks) * element_size(scales.dtype());
    // Scales first: the scratch's start is aligned for them.
    uint8_t* codes = scratch + scale_bytes;
    read_tensor_bytes(scales, static_cast<const char*>(scales.raw()) + static_cast<size_t>(r) * scale_bytes,
                      scale_bytes, scratch);
    read_tensor_bytes(data, data.data<uint8_t>() + static_cast<size_t>(r) * code_bytes, code_bytes, codes);
    float* sc = out + geo.inner;
    load_float32(scales.dtype(), scratch, geo.q_blocks, sc);
    for (int64_t b = 0; b < geo.q_blocks; ++b) {
      const float z = zero_point(zp, r * geo.q_blocks + b);
      const int64_t end = std::min(geo.inner, (b + 1) * attrs_.block);
      for (int64_t i = b * attrs_.block; i < end; ++i) out[i] = (static_cast<float>(code(codes, i)) - z) * sc[b];
    }
  }

  // Any other layout: each code's block found from its logical position `base + i`.
  void decode_strided(const Tensor& data, const Tensor& scales, const Tensor* zp, const BlockQuantizedGeometry& geo,
                      int64_t base, float* out) const {
    const uint8_t* codes = data.data<uint8_t>();
    for (int64_t i = 0; i < geo.inner; ++i) {
      const int64_t at = base + i;
      const int64_t hi = at / (geo.q_dim * geo.q_stride), c = (at / geo.q_stride) % geo.q_dim, lo = at % geo.q_stride;
      const int64_t s_at = (hi * geo.q_blocks + c / attrs_.block) * geo.q_stride + lo;
      float scale;
      load_float32(scales, s_at, 1, &scale);
      out[i] = (static_cast<float>(code(codes, at)) - zero_point(zp, s_at)) * scale;
    }
  }

  BlockQuantizedAttrs attrs_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.microsoft", "GatherBlockQuantized", 1, ONNXGEN_LATEST, GatherBlockQuantized);

}  // namespace onnxgen
