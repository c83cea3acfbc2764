#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(Softmax, LastAxisMatchesDefinition) {
  auto out = run_node("Softmax", {make_tensor<float>({2, 2}, {0, std::log(3.0f), 1000, 1000})}, {}, 1, 13);
  auto v = values_of<float>(out[0]);
  EXPECT_NEAR(v[0], 0.25f, 1e-6);
  EXPECT_NEAR(v[1], 0.75f, 1e-6);
  EXPECT_NEAR(v[2], 0.5f, 1e-6);  // large inputs must not overflow
}

TEST(Softmax, Opset11FlattensFromAxis) {
  // axis 1 of [1,2,2] normalises all four values together before opset 13...
  Tensor x = make_tensor<float>({1, 2, 2}, {0, 0, 0, 0});
  auto v = values_of<float>(run_node("Softmax", {x}, {}, 1, 11)[0]);
  EXPECT_NEAR(v[0], 0.25f, 1e-6);
  // ...and only along axis 1 from opset 13.
  v = values_of<float>(run_node("Softmax", {x}, {{"axis", int_attribute(1)}}, 1, 13)[0]);
  EXPECT_NEAR(v[0], 0.5f, 1e-6);
}

TEST(LogSoftmax, DoubleAlongMiddleAxis) {
  Tensor x = make_tensor<double>({1, 2, 1}, {1, 1});
  auto v = values_of<double>(run_node("LogSoftmax", {x}, {{"axis", int_attribute(1)}}, 1, 13)[0]);
  EXPECT_NEAR(v[0], -std::log(2.0), 1e-12);
  EXPECT_NEAR(v[1], -std::log(2.0), 1e-12);
}

TEST(Hardmax, FirstMaximumWins) {
  auto v = values_of<float>(run_node("Hardmax", {make_tensor<float>({4}, {1, 3, 3, 2})}, {}, 1, 13)[0]);
  EXPECT_EQ(v, (std::vector<float>{0, 1, 0, 0}));
}

TEST(Softmax, BadInputThrows) {
  EXPECT_THROW(run_node("Softmax", {make_tensor<float>({2}, {1, 2})}, {{"axis", int_attribute(1)}}, 1, 13), Error);
  EXPECT_THROW(run_node("Softmax", {make_tensor<int32_t>({2}, {1, 2})}, {}, 1, 13), Error);
}

}  // namespace
}  // namespace onnxgen::testing
