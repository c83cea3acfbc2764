#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Tensor input() { return make_tensor<float>({2, 5}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}); }

TEST(Split, SizesAsInput) {
  auto out = run_node("Split", {input(), make_tensor<int64_t>({2}, {2, 3})}, {{"axis", int_attribute(1)}}, 2);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{0, 1, 5, 6}));
  EXPECT_EQ(values_of<float>(out[1]), (std::vector<float>{2, 3, 4, 7, 8, 9}));
}

TEST(Split, SizesAsAttributeBeforeOpset13) {
  auto out = run_node("Split", {input()}, {{"axis", int_attribute(1)}, {"split", ints_attribute({4, 1})}}, 2, 11);
  EXPECT_EQ(values_of<float>(out[1]), (std::vector<float>{4, 9}));
}

TEST(Split, NumOutputsLeavesTheLastChunkShorter) {
  auto out = run_node("Split", {input()}, {{"axis", int_attribute(1)}, {"num_outputs", int_attribute(3)}}, 3, 18);
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(out[2].shape(), (Shape{2, 1}));
  EXPECT_EQ(values_of<float>(out[2]), (std::vector<float>{4, 9}));
}

TEST(Split, ContiguousAlignedSlabsAreViewsOfTheInput) {
  std::vector<float> v(64);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  const Tensor x = make_tensor<float>({1, 64}, v);
  // 16 floats = 64 bytes: both outputs start aligned, so neither is copied.
  auto out = run_node("Split", {x, make_tensor<int64_t>({2}, {16, 48})}, {{"axis", int_attribute(1)}}, 2);
  EXPECT_EQ(values_of<float>(out[1]), std::vector<float>(v.begin() + 16, v.end()));
  EXPECT_EQ(out[0].buffer(), out[1].buffer());
  // 5 floats: the second would start off the alignment, so it is copied.
  out = run_node("Split", {x, make_tensor<int64_t>({2}, {5, 59})}, {{"axis", int_attribute(1)}}, 2);
  EXPECT_EQ(values_of<float>(out[1]), std::vector<float>(v.begin() + 5, v.end()));
  EXPECT_NE(out[0].buffer(), out[1].buffer());
}

TEST(Split, RejectsUnevenOrWrongSizes) {
  EXPECT_THROW(run_node("Split", {input()}, {{"axis", int_attribute(1)}}, 2), Error);
  EXPECT_THROW(run_node("Split", {input(), make_tensor<int64_t>({2}, {2, 2})}, {{"axis", int_attribute(1)}}, 2), Error);
  EXPECT_THROW(run_node("Split", {input(), make_tensor<int64_t>({2}, {6, -1})}, {{"axis", int_attribute(1)}}, 2), Error);
  // Sizes whose sum wraps around to the axis size must not pass as valid.
  EXPECT_THROW(
      run_node("Split", {input(), make_tensor<int64_t>({3}, {INT64_MAX, INT64_MAX, 7})}, {{"axis", int_attribute(1)}}, 3),
      Error);
}

}  // namespace
}  // namespace onnxgen::testing
