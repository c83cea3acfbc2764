#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(QuantizeLinear, RoundsHalfToEvenAndSaturates) {
  Tensor x = make_tensor<float>({5}, {0.5f, 1.5f, 2.5f, -10, 1000});
  auto out = run_node("QuantizeLinear", {x, make_tensor<float>({}, {1}), make_tensor<uint8_t>({}, {1})});
  EXPECT_EQ(values_of<uint8_t>(out[0]), (std::vector<uint8_t>{1, 3, 3, 0, 255}));
}

TEST(QuantizeLinear, PerAxisInt8) {
  Tensor x = make_tensor<float>({2, 2}, {2, 4, 2, 4});
  auto out = run_node("QuantizeLinear", {x, make_tensor<float>({2}, {1, 2}), make_tensor<int8_t>({2}, {0, -1})},
                      {{"axis", int_attribute(1)}});
  EXPECT_EQ(values_of<int8_t>(out[0]), (std::vector<int8_t>{2, 1, 2, 1}));
}

TEST(DequantizeLinear, PerAxisAndBlocked) {
  Tensor x = make_tensor<uint8_t>({1, 4}, {10, 20, 30, 40});
  auto out = run_node("DequantizeLinear", {x, make_tensor<float>({1, 2}, {0.5f, 2}), make_tensor<uint8_t>({1, 2}, {10, 0})},
                      {{"axis", int_attribute(1)}, {"block_size", int_attribute(2)}}, 1, 21);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{0, 5, 60, 80}));
}

TEST(DynamicQuantizeLinear, MapsRangeIncludingZero) {
  auto out = run_node("DynamicQuantizeLinear", {make_tensor<float>({3}, {0, 2, -3})}, {}, 3);
  const float scale = values_of<float>(out[1])[0];
  EXPECT_FLOAT_EQ(scale, 5.0f / 255);
  EXPECT_EQ(values_of<uint8_t>(out[2]), (std::vector<uint8_t>{153}));
  EXPECT_EQ(values_of<uint8_t>(out[0]), (std::vector<uint8_t>{153, 255, 0}));
}

TEST(QuantizeLinear, MismatchedScaleThrows) {
  Tensor x = make_tensor<float>({2, 2}, {1, 2, 3, 4});
  EXPECT_THROW(run_node("QuantizeLinear", {x, make_tensor<float>({3}, {1, 1, 1})}), Error);
  EXPECT_THROW(run_node("DequantizeLinear", {make_tensor<uint8_t>({1}, {1}), make_tensor<float>({}, {1}), make_tensor<int8_t>({}, {0})}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
