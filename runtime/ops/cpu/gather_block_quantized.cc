// com.microsoft GatherBlockQuantized: Gather along gather_axis from a block-quantized table
// (typically the int4/uint8 embedding of onnxruntime-genai's int4 exports), dequantising what it
// gathers: w = (code - zero_point) * scale, with one scale (and zero point) per block_size codes
// along quantize_axis. uint8 data holds one 8-bit code or two 4-bit codes (low nibble first) per
// byte, in which case the logical last dim is twice the stored one; zero points pack the same
// way and default to the middle of the code range. The output has the scales' type.
#include <vector>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/float_staging.h"

namespace onnxgen {
namespace {

class GatherBlockQuantized : public OpKernel {
 public:
  explicit GatherBlockQuantized(const KernelInit& init) {
    const auto& a = init.attrs();
    bits_ = static_cast<int>(a.get_int("bits", 4));
    block_ = a.get_int("block_size", 128);
    gather_axis_ = a.get_int("gather_axis", 0);
    quantize_axis_ = a.get_int("quantize_axis", 1);
    ONNXGEN_CHECK(bits_ == 4 || bits_ == 8, "GatherBlockQuantized bits must be 4 or 8, got ", bits_);
    ONNXGEN_CHECK(block_ >= 16 && (block_ & (block_ - 1)) == 0,
                  "GatherBlockQuantized block_size must be a power of 2 >= 16, got ", block_);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& data = ctx.required(0);
    const Tensor& indices = ctx.required(1);
    const Tensor& scales_in = ctx.required(2);
    const Tensor* zp = ctx.input(3);
    ONNXGEN_CHECK(data.dtype() == DataType::kUInt8 && data.rank() >= 1, "GatherBlockQuantized data must be uint8, got ",
                  data.describe());
    ONNXGEN_CHECK(is_integer(indices.dtype()), "GatherBlockQuantized indices must be integers, got ", indices.describe());
    ONNXGEN_CHECK(is_float(scales_in.dtype()), "GatherBlockQuantized scales must be float, got ", scales_in.describe());
    const int64_t rank = static_cast<int64_t>(data.rank());
    const int64_t per_byte = 8 / bits_;
    Shape dims = data.shape();
    dims.back() *= per_byte;
    const int64_t g = normalize_axis(gather_axis_, rank), q = normalize_axis(quantize_axis_, rank);
    ONNXGEN_CHECK(per_byte == 1 || q == rank - 1, "GatherBlockQuantized packs 4-bit codes only along the last axis");
    Shape scale_dims = dims;
    scale_dims[static_cast<size_t>(q)] = (dims[static_cast<size_t>(q)] + block_ - 1) / block_;
    ONNXGEN_CHECK(scales_in.shape() == scale_dims, "GatherBlockQuantized scales must be ", to_string(scale_dims), ", got ",
                  scales_in.describe());
    if (zp)
      ONNXGEN_CHECK(zp->dtype() == DataType::kUInt8 && zp->numel() * per_byte >= num_elements(scale_dims),
                    "GatherBlockQuantized zero_points must be uint8 covering ", to_string(scale_dims), ", got ",
                    zp->describe());

    const int64_t rows = dims[static_cast<size_t>(g)];
    std::vector<int64_t> picked(static_cast<size_t>(indices.numel()));
    for (int64_t i = 0; i < indices.numel(); ++i) {
      int64_t v = indices.to_int64(i);
      if (v < 0) v += rows;
      ONNXGEN_CHECK(v >= 0 && v < rows, "GatherBlockQuantized index ", indices.to_int64(i), " outside [", -rows, ", ",
                    rows, ")");
      picked[static_cast<size_t>(i)] = v;
    }
    int64_t outer = 1, inner = 1, q_stride = 1;
    for (int64_t d = 0; d < g; ++d) outer *= dims[static_cast<size_t>(d)];
    for (int64_t d = g + 1; d < rank; ++d) inner *= dims[static_cast<size_t>(d)];
    for (int64_t d = q + 1; d < rank; ++d) q_stride *= dims[static_cast<size_t>(d)];
    const int64_t q_dim = dims[static_cast<size_t>(q)], q_blocks = scale_dims[static_cast<size_t>(q)];

    Shape out_shape(dims.begin(), dims.begin() + g);
    out_shape.insert(out_shape.end(), indices.shape().begin(), indices.shape().end());
    out_shape.insert(out_shape.end(), dims.begin() + g + 1, dims.end());
    Tensor& out = ctx.allocate(0, scales_in.dtype(), out_shape);
    const Tensor scales = to_float32(scales_in);
    const uint8_t* codes = data.data<uint8_t>();
    const uint8_t* zps = zp ? zp->data<uint8_t>() : nullptr;
    const float* sc = scales.data<float>();
    const int mask = (1 << bits_) - 1;
    const float default_zp = static_cast<float>(1 << (bits_ - 1));
    auto unpack = [&](const uint8_t* p, int64_t i) {
      return (p[i / per_byte] >> ((i % per_byte) * bits_)) & mask;
    };
    std::vector<float> row(static_cast<size_t>(inner));
    const int64_t n_picked = static_cast<int64_t>(picked.size());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < n_picked; ++j) {
        const int64_t base = (o * rows + picked[static_cast<size_t>(j)]) * inner;
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t at = base + i;
          const int64_t hi = at / (q_dim * q_stride), c = (at / q_stride) % q_dim, lo = at % q_stride;
          const int64_t s_at = (hi * q_blocks + c / block_) * q_stride + lo;
          const float z = zps ? static_cast<float>(unpack(zps, s_at)) : default_zp;
          row[static_cast<size_t>(i)] = (static_cast<float>(unpack(codes, at)) - z) * sc[s_at];
        }
        store_float32(row.data(), inner, out, (o * n_picked + j) * inner);
      }
  }

 private:
  int bits_ = 4;
  int64_t block_ = 128, gather_axis_ = 0, quantize_axis_ = 1;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.microsoft", "GatherBlockQuantized", 1, ONNXGEN_LATEST, GatherBlockQuantized);

}  // namespace onnxgen
