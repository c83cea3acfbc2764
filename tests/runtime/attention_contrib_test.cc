#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

// Din = 1, one head of size 1: weights [1, 3] project x to (q, k, v) = (x, 2x, 4x) + bias.
std::vector<Tensor> attention(const std::vector<Tensor>& inputs, size_t outputs = 2) {
  return run_node("Attention", inputs,
                  {{"num_heads", int_attribute(1)}, {"unidirectional", int_attribute(1)}, {"scale", float_attribute(1.0f)}}, outputs, 1,
                  "com.microsoft");
}

TEST(ContribAttention, ProjectsAndAppendsToThePackedPast) {
  const float ln3 = std::log(3.0f);
  // x = ln3 / 2: q = ln3 / 2 + (2 - ln3 / 2) = 2, k = ln3, v = 2 ln3 + (8 - 2 ln3) = 8.
  auto out = attention({make_tensor<float>({1, 1, 1}, {ln3 / 2}), make_tensor<float>({1, 3}, {1, 2, 4}),
                        make_tensor<float>({3}, {2 - ln3 / 2, 0, 8 - 2 * ln3}), Tensor(),
                        make_tensor<float>({2, 1, 1, 1, 1}, {0, 4})});
  // Scores 2 * 0 and 2 * ln3: weights 1/10 and 9/10 of 4 and 8.
  EXPECT_NEAR(values_of<float>(out[0])[0], 7.6f, 1e-4f);
  EXPECT_EQ(out[1].describe(), "float32[2,1,1,2,1]");
  const auto present = values_of<float>(out[1]);
  EXPECT_NEAR(present[1], ln3, 1e-6f);
  EXPECT_NEAR(present[3], 8.0f, 1e-5f);
}

TEST(ContribAttention, MaskIndexEndPositions) {
  // Prompt of two tokens with mask_index 1: both rows see key 0 only.
  auto out = attention({make_tensor<float>({1, 2, 1}, {1, 2}), make_tensor<float>({1, 3}, {1, 1, 1}), Tensor(),
                        make_tensor<int32_t>({1}, {1})},
                       1);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 1}));
}

TEST(ContribAttention, RejectsPastOfWrongShape) {
  EXPECT_THROW(attention({make_tensor<float>({1, 1, 1}, {1}), make_tensor<float>({1, 3}, {1, 1, 1}), Tensor(), Tensor(),
                          make_tensor<float>({1, 1, 1, 1, 1}, {0})}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
