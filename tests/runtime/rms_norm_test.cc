#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(RmsNormalization, LastAxisWithScale) {
  // mean(3^2, 4^2) = 12.5.
  auto out = run_node("RMSNormalization", {make_tensor<float>({1, 2}, {3, 4}), make_tensor<float>({2}, {1, 2})},
                      {{"epsilon", float_attribute(0.0f)}}, 1, 23);
  const float r = std::sqrt(12.5f);
  const auto y = values_of<float>(out[0]);
  EXPECT_NEAR(y[0], 3 / r, 1e-6f);
  EXPECT_NEAR(y[1], 8 / r, 1e-6f);
}

TEST(RmsNormalization, AxisZeroNormalisesEverything) {
  auto out = run_node("RMSNormalization", {make_tensor<float>({2, 2}, {1, 1, 1, 1}), make_tensor<float>({1}, {2})},
                      {{"axis", int_attribute(0)}, {"epsilon", float_attribute(0.0f)}}, 1, 23);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{2, 2, 2, 2}));
}

TEST(RmsNormalization, SimplifiedLayerNormOutputsInverseRms) {
  auto out = run_node("SimplifiedLayerNormalization", {make_tensor<float>({1, 2}, {3, 4}), make_tensor<float>({2}, {1, 1})},
                      {{"epsilon", float_attribute(0.0f)}}, 2, 17);
  EXPECT_NEAR(values_of<float>(out[1])[0], 1 / std::sqrt(12.5f), 1e-6f);
}

TEST(RmsNormalization, RejectsScaleThatDoesNotBroadcast) {
  EXPECT_THROW(run_node("RMSNormalization", {make_tensor<float>({1, 2}, {3, 4}), make_tensor<float>({3}, {1, 1, 1})}, {},
                        1, 23),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
