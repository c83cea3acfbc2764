#pragma once
// com.microsoft MatMulNBits' attributes and operand contract (Y = A * dequantise(B)^T, B as N rows
// of K codes in blocks of block_size, one scale per block), checked the same way by the CPU and
// CUDA kernels.
#include <cstdint>

#include "runtime/core/tensor.h"
#include "runtime/exec/kernel.h"

namespace onnxgen {

// accuracy_level 4: A may be quantised to int8 per block (the genai builder's CPU int4).

// 4-bit zero points as MatMulNBits packs them: a row of `blocks` takes (blocks + 1) / 2 bytes,
// block b in byte b / 2, the low nibble first.
inline int64_t q4_zero_point_row_bytes(int64_t blocks) { return (blocks + 1) / 2; }
inline uint8_t q4_zero_point(const uint8_t* row, int64_t b) {
  return b % 2 ? row[b / 2] >> 4 : row[b / 2] & 0x0F;
}
inline constexpr int64_t kMatMulNBitsInt8AccuracyLevel = 4;

// The attributes both kernels read; kernels inherit them, so their code names them as members.
struct MatMulNBitsAttrs {
  explicit MatMulNBitsAttrs(const KernelInit& init) {
    const auto& a = init.attrs();
    k_ = a.get_int("K");
    n_ = a.get_int("N");
    bits_ = static_cast<int>(a.get_int("bits", 4));
    block_ = a.get_int("block_size");
    ONNXGEN_CHECK(bits_ == 2 || bits_ == 4 || bits_ == 8, "MatMulNBits bits must be 2, 4 or 8, got ", bits_);
    ONNXGEN_CHECK(block_ >= 16 && (block_ & (block_ - 1)) == 0, "MatMulNBits block_size must be a power of 2 >= 16, got ",
                  block_);
    ONNXGEN_CHECK(k_ > 0 && n_ > 0, "MatMulNBits K and N must be positive");
    blocks_ = (k_ + block_ - 1) / block_;
    blob_ = block_ * bits_ / 8;
    int8_compute_ = a.get_int("accuracy_level", 0) == kMatMulNBitsInt8AccuracyLevel;
  }

  // A's last dim is K, B holds [N, blocks, blob] codes, scales one value per block (types are
  // the kernels' to check).
  void check_operands(const Tensor& a, const Tensor& b, const Tensor& scales) const {
    ONNXGEN_CHECK(a.rank() >= 1 && a.dim(a.rank() - 1) == k_, "MatMulNBits A must be [..., ", k_, "], got ",
                  a.describe());
    ONNXGEN_CHECK(b.dtype() == DataType::kUInt8 && b.numel() == n_ * blocks_ * blob_, "MatMulNBits B must be uint8 [",
                  n_, ", ", blocks_, ", ", blob_, "], got ", b.describe());
    ONNXGEN_CHECK(scales.numel() == n_ * blocks_, "MatMulNBits scales must hold ", n_ * blocks_, " values, got ",
                  scales.describe());
  }

  // zero_points' data when they are 4-bit codes packed as uint8 for all N rows, else null.
  const uint8_t* packed_q4_zero_points(const Tensor* zp) const {
    const bool packed = zp && bits_ == 4 && zp->dtype() == DataType::kUInt8 &&
                        zp->numel() == n_ * q4_zero_point_row_bytes(blocks_);
    return packed ? zp->data<uint8_t>() : nullptr;
  }

  int64_t k_ = 0, n_ = 0, block_ = 0, blocks_ = 0, blob_ = 0;
  int bits_ = 4;
  bool int8_compute_ = false;
};

}  // namespace onnxgen
