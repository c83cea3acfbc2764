#pragma once
// The contract of com.microsoft GatherBlockQuantized (see ops/cpu/gather_block_quantized.cc),
// parsed and checked the same way by the CPU and CUDA kernels.
#include <cstdint>

#include "runtime/exec/kernel.h"

namespace onnxgen {

struct BlockQuantizedAttrs {
  explicit BlockQuantizedAttrs(const KernelInit& init) {
    const auto& a = init.attrs();
    bits = static_cast<int>(a.get_int("bits", 4));
    block = a.get_int("block_size", 128);
    gather_axis = a.get_int("gather_axis", 0);
    quantize_axis = a.get_int("quantize_axis", 1);
    ONNXGEN_CHECK(bits == 4 || bits == 8, "GatherBlockQuantized bits must be 4 or 8, got ", bits);
    ONNXGEN_CHECK(block >= 16 && (block & (block - 1)) == 0,
                  "GatherBlockQuantized block_size must be a power of 2 >= 16, got ", block);
  }

  int bits;
  int64_t block, gather_axis, quantize_axis;
};

// The logical codes as [outer, rows, inner] around the gather axis; the scales (and zero points)
// as [hi, q_blocks, q_stride] around the quantize axis, where code (hi, c, lo) of
// [hi, q_dim, q_stride] takes the parameters of block c / block_size.
struct BlockQuantizedGeometry {
  int64_t outer = 1, rows = 0, inner = 1;
  int64_t q_dim = 0, q_stride = 1, q_blocks = 0;
  Shape out_shape;
};

inline BlockQuantizedGeometry check_block_quantized_inputs(const KernelContext& ctx, const BlockQuantizedAttrs& a) {
  const Tensor& data = ctx.required(0);
  const Tensor& indices = ctx.required(1);
  const Tensor& scales = ctx.required(2);
  const Tensor* zp = ctx.input(3);
  ONNXGEN_CHECK(data.dtype() == DataType::kUInt8 && data.rank() >= 1, "GatherBlockQuantized data must be uint8, got ",
                data.describe());
  ONNXGEN_CHECK(is_integer(indices.dtype()), "GatherBlockQuantized indices must be integers, got ", indices.describe());
  ONNXGEN_CHECK(is_float(scales.dtype()), "GatherBlockQuantized scales must be float, got ", scales.describe());
  const int64_t rank = static_cast<int64_t>(data.rank());
  const int64_t per_byte = 8 / a.bits;
  Shape dims = data.shape();
  dims.back() *= per_byte;
  const int64_t g = normalize_axis(a.gather_axis, rank), q = normalize_axis(a.quantize_axis, rank);
  ONNXGEN_CHECK(per_byte == 1 || q == rank - 1, "GatherBlockQuantized packs 4-bit codes only along the last axis");
  Shape scale_dims = dims;
  scale_dims[static_cast<size_t>(q)] = (dims[static_cast<size_t>(q)] + a.block - 1) / a.block;
  ONNXGEN_CHECK(scales.shape() == scale_dims, "GatherBlockQuantized scales must be ", to_string(scale_dims), ", got ",
                scales.describe());
  if (zp)
    ONNXGEN_CHECK(zp->dtype() == DataType::kUInt8 && zp->numel() * per_byte >= num_elements(scale_dims),
                  "GatherBlockQuantized zero_points must be uint8 covering ", to_string(scale_dims), ", got ",
                  zp->describe());
  BlockQuantizedGeometry r;
  r.rows = dims[static_cast<size_t>(g)];
  for (int64_t d = 0; d < g; ++d) r.outer *= dims[static_cast<size_t>(d)];
  for (int64_t d = g + 1; d < rank; ++d) r.inner *= dims[static_cast<size_t>(d)];
  for (int64_t d = q + 1; d < rank; ++d) r.q_stride *= dims[static_cast<size_t>(d)];
  r.q_dim = dims[static_cast<size_t>(q)];
  r.q_blocks = scale_dims[static_cast<size_t>(q)];
  r.out_shape.assign(dims.begin(), dims.begin() + g);
  r.out_shape.insert(r.out_shape.end(), indices.shape().begin(), indices.shape().end());
  r.out_shape.insert(r.out_shape.end(), dims.begin() + g + 1, dims.end());
  return r;
}

}  // namespace onnxgen
