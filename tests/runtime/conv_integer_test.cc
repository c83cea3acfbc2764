#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(ConvInteger, SubtractsZeroPointsExactly) {
  auto out = run_node("ConvInteger", {make_tensor<uint8_t>({1, 1, 3}, {10, 11, 12}), make_tensor<uint8_t>({1, 1, 2}, {1, 2}),
                                      Tensor::scalar<uint8_t>(10)});
  EXPECT_EQ(out[0].describe(), "int32[1,1,2]");
  EXPECT_EQ(values_of<int32_t>(out[0]), (std::vector<int32_t>{0 * 1 + 1 * 2, 1 * 1 + 2 * 2}));
}

TEST(QLinearConv, RequantizesWithRoundHalfToEven) {
  // acc = 3 * 1 = 3; 3 * (1 * 1 / 2) = 1.5 -> 2 (even), plus zero point 5.
  auto out = run_node("QLinearConv",
                      {make_tensor<uint8_t>({1, 1, 1}, {3}), Tensor::scalar<float>(1), Tensor::scalar<uint8_t>(0),
                       make_tensor<uint8_t>({1, 1, 1}, {1}), Tensor::scalar<float>(1), Tensor::scalar<uint8_t>(0),
                       Tensor::scalar<float>(2), Tensor::scalar<uint8_t>(5)});
  EXPECT_EQ(values_of<uint8_t>(out[0]), (std::vector<uint8_t>{7}));
}

TEST(ConvInteger, RejectsFloatInput) {
  EXPECT_THROW(run_node("ConvInteger", {make_tensor<float>({1, 1, 2}, {1, 2}), make_tensor<uint8_t>({1, 1, 1}, {1})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
