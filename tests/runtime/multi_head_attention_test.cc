#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

const float kLn3 = std::log(3.0f);

std::vector<Tensor> mha(const std::vector<Tensor>& inputs, int64_t causal = 0, size_t outputs = 1) {
  return run_node("MultiHeadAttention", inputs,
                  {{"num_heads", int_attribute(1)}, {"scale", float_attribute(1.0f)}, {"unidirectional", int_attribute(causal)}},
                  outputs, 1, "com.microsoft");
}

TEST(MultiHeadAttention, CrossAttentionWithBiasAndPaddingMask) {
  // The bias adds 1 to the query; key 2 is padding.
  auto out = mha({make_tensor<float>({1, 1, 1}, {0}), make_tensor<float>({1, 3, 1}, {0, kLn3, 50}),
                  make_tensor<float>({1, 3, 1}, {4, 8, 100}), make_tensor<float>({3}, {1, 0, 0}),
                  make_tensor<int32_t>({1, 3}, {1, 1, 0})});
  EXPECT_NEAR(values_of<float>(out[0])[0], 7.0f, 1e-5f);
}

TEST(MultiHeadAttention, PastIsPrependedAndCausalFromItsEnd) {
  auto out = mha({make_tensor<float>({1, 1, 1}, {1}), make_tensor<float>({1, 1, 1}, {kLn3}),
                  make_tensor<float>({1, 1, 1}, {8}), Tensor(), Tensor(), Tensor(), make_tensor<float>({1, 1, 1, 1}, {0}),
                  make_tensor<float>({1, 1, 1, 1}, {4})},
                 1, 3);
  EXPECT_NEAR(values_of<float>(out[0])[0], 7.0f, 1e-5f);
  EXPECT_EQ(values_of<float>(out[1]), (std::vector<float>{0, kLn3}));
  EXPECT_EQ(values_of<float>(out[2]), (std::vector<float>{4, 8}));
}

TEST(MultiHeadAttention, RejectsKeyOfAnotherWidth) {
  EXPECT_THROW(mha({make_tensor<float>({1, 1, 2}, {0, 0}), make_tensor<float>({1, 1, 1}, {0}),
                    make_tensor<float>({1, 1, 1}, {0})}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
