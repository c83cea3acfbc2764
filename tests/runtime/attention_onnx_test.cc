#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

const float kLn3 = std::log(3.0f);

TEST(OnnxAttention, FourDimensionalSoftmaxOfScores) {
  auto out = run_node("Attention",
                      {make_tensor<float>({1, 1, 1, 1}, {1}), make_tensor<float>({1, 1, 2, 1}, {0, kLn3}),
                       make_tensor<float>({1, 1, 2, 1}, {4, 8})},
                      {{"scale", float_attribute(1.0f)}}, 1, 23);
  EXPECT_EQ(out[0].describe(), "float32[1,1,1,1]");
  EXPECT_NEAR(values_of<float>(out[0])[0], 7.0f, 1e-5f);
}

TEST(OnnxAttention, ThreeDimensionalCausalWithPastAndPresent) {
  // One head of size 1; the past key/value come first and query 0 sits at position 1.
  auto out = run_node("Attention",
                      {make_tensor<float>({1, 2, 1}, {1, 1}), make_tensor<float>({1, 2, 1}, {kLn3, 0}),
                       make_tensor<float>({1, 2, 1}, {8, 100}), Tensor(), make_tensor<float>({1, 1, 1, 1}, {0}),
                       make_tensor<float>({1, 1, 1, 1}, {4})},
                      {{"is_causal", int_attribute(1)}, {"q_num_heads", int_attribute(1)}, {"kv_num_heads", int_attribute(1)},
                       {"scale", float_attribute(1.0f)}},
                      3, 23);
  const auto y = values_of<float>(out[0]);
  EXPECT_NEAR(y[0], 7.0f, 1e-5f);  // keys 0 and 1 (past 0, ln 3)
  EXPECT_EQ(values_of<float>(out[1]), (std::vector<float>{0, kLn3, 0}));
  EXPECT_EQ(out[2].describe(), "float32[1,1,3,1]");
}

TEST(OnnxAttention, BooleanMaskExcludesKeys) {
  auto out = run_node("Attention",
                      {make_tensor<float>({1, 1, 1, 1}, {1}), make_tensor<float>({1, 1, 2, 1}, {0, kLn3}),
                       make_tensor<float>({1, 1, 2, 1}, {4, 8}), make_tensor<bool>({1, 2}, {true, false})},
                      {}, 1, 23);
  EXPECT_NEAR(values_of<float>(out[0])[0], 4.0f, 1e-6f);
}

TEST(OnnxAttention, ThreeDimensionalNeedsHeadCounts) {
  EXPECT_THROW(run_node("Attention",
                        {make_tensor<float>({1, 1, 2}, {1, 1}), make_tensor<float>({1, 1, 2}, {1, 1}),
                         make_tensor<float>({1, 1, 2}, {1, 1})},
                        {}, 1, 23),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
