#include <gtest/gtest.h>

#include <numeric>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

// One output row of K = 32 codes alternating 8, 9 (bytes 0x98, low nibble first) with scale 0.5
// and the default zero point 8: weights alternate 0 and 0.5.
std::vector<Tensor> nbits(int64_t m, const Tensor& zero_points = Tensor()) {
  std::vector<float> a(static_cast<size_t>(m * 32));
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i % 32 + 1);
  return run_node("MatMulNBits",
                  {make_tensor<float>({m, 32}, a), make_tensor<uint8_t>({1, 1, 16}, std::vector<uint8_t>(16, 0x98)),
                   make_tensor<float>({1}, {0.5f}), zero_points},
                  {{"K", int_attribute(32)}, {"N", int_attribute(1)}, {"bits", int_attribute(4)}, {"block_size", int_attribute(32)}}, 1, 1,
                  "com.microsoft");
}

TEST(MatMulNBits, DecodeGemvUnpacksLowNibbleFirst) {
  // 0.5 * (2 + 4 + ... + 32) = 136.
  EXPECT_EQ(values_of<float>(nbits(1)[0]), (std::vector<float>{136}));
}

TEST(MatMulNBits, PrefillMatchesDecode) {
  EXPECT_EQ(values_of<float>(nbits(6)[0]), std::vector<float>(6, 136));
}

TEST(MatMulNBits, PackedZeroPointShiftsEveryCode) {
  // Zero point 9: weights alternate -0.5 and 0, so y = -0.5 * (1 + 3 + ... + 31) = -128.
  EXPECT_EQ(values_of<float>(nbits(1, make_tensor<uint8_t>({1}, {9}))[0]), (std::vector<float>{-128}));
}

TEST(MatMulNBits, RejectsUnsupportedBits) {
  EXPECT_THROW(run_node("MatMulNBits",
                        {make_tensor<float>({1, 16}, std::vector<float>(16, 1)),
                         make_tensor<uint8_t>({1, 1, 6}, std::vector<uint8_t>(6, 0)), make_tensor<float>({1}, {1})},
                        {{"K", int_attribute(16)}, {"N", int_attribute(1)}, {"bits", int_attribute(3)}, {"block_size", int_attribute(16)}}, 1,
                        1, "com.microsoft"),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
