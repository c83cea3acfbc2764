#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

const char* kDomain = "ai.onnx.preview.training";

TEST(Momentum, StandardUpdateTakesFullGradientFirst) {
  // T = 0: v = alpha * v + 1 * g = 0.5 * 2 + 1 = 2; x = 1 - 0.1 * 2.
  auto out = run_node("Momentum",
                      {Tensor::scalar<float>(0.1f), Tensor::scalar<int64_t>(0), make_tensor<float>({1}, {1}),
                       make_tensor<float>({1}, {1}), make_tensor<float>({1}, {2})},
                      {{"alpha", float_attribute(0.5f)}, {"beta", float_attribute(0.3f)}, {"mode", string_attribute("standard")}}, 2, 1,
                      kDomain);
  EXPECT_FLOAT_EQ(values_of<float>(out[0])[0], 0.8f);
  EXPECT_FLOAT_EQ(values_of<float>(out[1])[0], 2.0f);
}

TEST(Adagrad, ScalesByAccumulatedSquares) {
  auto out = run_node("Adagrad",
                      {Tensor::scalar<float>(1), Tensor::scalar<int64_t>(0), make_tensor<float>({1}, {1}),
                       make_tensor<float>({1}, {3}), make_tensor<float>({1}, {7})},
                      {}, 2, 1, kDomain);
  EXPECT_FLOAT_EQ(values_of<float>(out[1])[0], 16.0f);
  EXPECT_FLOAT_EQ(values_of<float>(out[0])[0], 1 - 3.0f / 4);
}

TEST(Adam, UpdatesBothMoments) {
  auto out = run_node("Adam",
                      {Tensor::scalar<float>(1), Tensor::scalar<int64_t>(0), make_tensor<float>({1}, {1}),
                       make_tensor<float>({1}, {2}), make_tensor<float>({1}, {0}), make_tensor<float>({1}, {0})},
                      {{"alpha", float_attribute(0.5f)}, {"beta", float_attribute(0.75f)}, {"epsilon", float_attribute(0)}}, 3, 1, kDomain);
  EXPECT_FLOAT_EQ(values_of<float>(out[1])[0], 1.0f);   // 0.5 * 2
  EXPECT_FLOAT_EQ(values_of<float>(out[2])[0], 1.0f);   // 0.25 * 4
  EXPECT_FLOAT_EQ(values_of<float>(out[0])[0], 0.0f);   // 1 - 1 * 1 / 1
}

TEST(Momentum, RejectsMismatchedStateShapes) {
  EXPECT_THROW(run_node("Momentum",
                        {Tensor::scalar<float>(0.1f), Tensor::scalar<int64_t>(0), make_tensor<float>({1}, {1}),
                         make_tensor<float>({2}, {1, 1}), make_tensor<float>({1}, {2})},
                        {}, 2, 1, kDomain),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
