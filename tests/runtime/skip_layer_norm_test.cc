#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(SkipLayerNormalization, AddsSkipAndBiasThenNormalises) {
  // sum = [1, 2] + [0, 1] + [1, 1] = [2, 4]: mean 3, variance 1.
  auto out = run_node("SkipLayerNormalization",
                      {make_tensor<float>({1, 1, 2}, {1, 2}), make_tensor<float>({1, 1, 2}, {0, 1}),
                       make_tensor<float>({2}, {1, 2}), make_tensor<float>({2}, {0.5f, 0.5f}),
                       make_tensor<float>({2}, {1, 1})},
                      {{"epsilon", float_attribute(0.0f)}}, 4, 1, "com.microsoft");
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{-0.5f, 2.5f}));
  EXPECT_EQ(values_of<float>(out[1]), (std::vector<float>{3}));
  EXPECT_EQ(values_of<float>(out[3]), (std::vector<float>{2, 4}));
}

TEST(SkipLayerNormalization, SimplifiedIsRmsOfTheSumWithBroadcastSkip) {
  auto out = run_node("SkipSimplifiedLayerNormalization",
                      {make_tensor<float>({2, 1, 2}, {1, 3, 2, 4}), make_tensor<float>({1, 2}, {1, 1}),
                       make_tensor<float>({2}, {1, 1})},
                      {{"epsilon", float_attribute(0.0f)}}, 1, 1, "com.microsoft");
  const auto y = values_of<float>(out[0]);
  EXPECT_NEAR(y[0], 2 / std::sqrt(10.0f), 1e-6f);
  EXPECT_NEAR(y[3], 5 / std::sqrt(17.0f), 1e-6f);
}

TEST(SkipLayerNormalization, RejectsSkipOfAnotherWidth) {
  EXPECT_THROW(run_node("SkipLayerNormalization",
                        {make_tensor<float>({1, 1, 2}, {1, 2}), make_tensor<float>({1, 1, 3}, {0, 1, 2}),
                         make_tensor<float>({2}, {1, 2})},
                        {}, 1, 1, "com.microsoft"),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
