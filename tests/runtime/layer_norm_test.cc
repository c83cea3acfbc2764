#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(LayerNormalization, StandardisesRowsAndReportsStatistics) {
  Tensor x = make_tensor<float>({2, 2}, {1, 3, 10, 10});
  Tensor scale = make_tensor<float>({2}, {1, 2});
  Tensor bias = make_tensor<float>({2}, {0, 1});
  auto out = run_node("LayerNormalization", {x, scale, bias}, {{"epsilon", float_attribute(0)}}, 3);
  auto y = values_of<float>(out[0]);
  EXPECT_NEAR(y[0], -1, 1e-6);
  EXPECT_NEAR(y[1], 3, 1e-6);
  EXPECT_EQ(out[1].describe(), "float32[2,1]");
  EXPECT_EQ(values_of<float>(out[1]), (std::vector<float>{2, 10}));
  EXPECT_NEAR(values_of<float>(out[2])[0], 1.0f, 1e-6);
}

TEST(LayerNormalization, LeadingAxisAndDouble) {
  Tensor x = make_tensor<double>({1, 2, 2}, {0, 2, 4, 6});
  auto out = run_node("LayerNormalization", {x, make_tensor<double>({1}, {1})}, {{"axis", int_attribute(0)}, {"epsilon", float_attribute(0)}});
  auto y = values_of<double>(out[0]);
  EXPECT_NEAR(y[0], -3 / std::sqrt(5.0), 1e-6);
  EXPECT_NEAR(y[3], 3 / std::sqrt(5.0), 1e-6);
}

TEST(LayerNormalization, ScaleOfWrongSizeThrows) {
  Tensor x = make_tensor<float>({2, 2}, {1, 2, 3, 4});
  EXPECT_THROW(run_node("LayerNormalization", {x, make_tensor<float>({3}, {1, 1, 1})}), Error);
  EXPECT_THROW(run_node("LayerNormalization", {x, make_tensor<float>({2}, {1, 1})}, {{"axis", int_attribute(2)}}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
