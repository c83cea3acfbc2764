#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

// Angle 90 degrees for the first pair (cos 0, sin 1), 0 for the second.
Tensor cos_cache() { return make_tensor<float>({1, 2}, {0, 1}); }
Tensor sin_cache() { return make_tensor<float>({1, 2}, {1, 0}); }

TEST(RotaryEmbedding, OnnxHalvesAndInterleavedPairs) {
  const Tensor x = make_tensor<float>({1, 1, 1, 4}, {1, 0, 0, 1});
  const Tensor pos = make_tensor<int64_t>({1, 1}, {0});
  auto halves = run_node("RotaryEmbedding", {x, cos_cache(), sin_cache(), pos}, {}, 1, 23);
  EXPECT_EQ(values_of<float>(halves[0]), (std::vector<float>{0, 0, 1, 1}));
  auto pairs = run_node("RotaryEmbedding", {x, cos_cache(), sin_cache(), pos}, {{"interleaved", int_attribute(1)}}, 1, 23);
  EXPECT_EQ(values_of<float>(pairs[0]), (std::vector<float>{0, 1, 0, 1}));
}

TEST(RotaryEmbedding, OnnxPartialRotationPassesTheRestThrough) {
  auto out = run_node("RotaryEmbedding",
                      {make_tensor<float>({1, 1, 4}, {1, 0, 7, 9}), make_tensor<float>({1, 1, 1}, {0}),
                       make_tensor<float>({1, 1, 1}, {1})},
                      {{"num_heads", int_attribute(1)}, {"rotary_embedding_dim", int_attribute(2)}}, 1, 23);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{0, 1, 7, 9}));
}

TEST(RotaryEmbedding, ContribStartOffsetPositions) {
  // Position ids [1] is a start offset: token 0 at position 1 reads cache row 1.
  auto out = run_node("RotaryEmbedding",
                      {make_tensor<float>({1, 1, 2}, {1, 0}), make_tensor<int64_t>({1}, {1}),
                       make_tensor<float>({2, 1}, {1, 0}), make_tensor<float>({2, 1}, {0, 1})},
                      {}, 1, 1, "com.microsoft");
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{0, 1}));
}

TEST(RotaryEmbedding, RejectsPositionOutsideTheCache) {
  EXPECT_THROW(run_node("RotaryEmbedding",
                        {make_tensor<float>({1, 1, 1, 4}, {1, 0, 0, 1}), cos_cache(), sin_cache(),
                         make_tensor<int64_t>({1, 1}, {5})},
                        {}, 1, 23),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
