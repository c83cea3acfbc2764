#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

std::vector<Tensor> embed(const Tensor& ids, const Tensor& mask) {
  // word row 1 + position row 0 = [2, 4]: normalised to [-1, 1].
  return run_node("EmbedLayerNormalization",
                  {ids, Tensor(), make_tensor<float>({2, 2}, {0, 0, 1, 3}), make_tensor<float>({2, 2}, {1, 1, 5, 5}),
                   Tensor(), make_tensor<float>({2}, {1, 1}), make_tensor<float>({2}, {0, 0}), mask},
                  {}, 3, 1, "com.microsoft");
}

TEST(EmbedLayerNormalization, SumsEmbeddingsAndCountsTheMask) {
  auto out = embed(make_tensor<int32_t>({1, 2}, {1, 0}), make_tensor<int32_t>({1, 2}, {1, 0}));
  // Row 2 is [0, 0] + [5, 5]: no variance, so all beta.
  const auto y = values_of<float>(out[0]);
  const std::vector<float> want = {-1, 1, 0, 0};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(y[i], want[i], 1e-5f);
  EXPECT_EQ(values_of<int32_t>(out[1]), (std::vector<int32_t>{1}));
  EXPECT_EQ(values_of<float>(out[2]), (std::vector<float>{2, 4, 5, 5}));
}

TEST(EmbedLayerNormalization, RejectsIdOutsideTheVocabulary) {
  EXPECT_THROW(embed(make_tensor<int32_t>({1, 2}, {2, 0}), Tensor()), Error);
}

}  // namespace
}  // namespace onnxgen::testing
