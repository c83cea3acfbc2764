#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(Transpose, DefaultReversesAxes) {
  auto out = run_node("Transpose", {make_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(out[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

// Large enough to take the tiled, parallel path with partial tiles; checked against the
// definition y[b, d, s] = x[b, s, d].
TEST(Transpose, TiledPathMatchesDefinition) {
  const int64_t B = 3, S = 37, D = 70;
  std::vector<int32_t> v(static_cast<size_t>(B * S * D));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int32_t>(i);
  auto out = run_node("Transpose", {make_tensor<int32_t>({B, S, D}, v)}, {{"perm", ints_attribute({0, 2, 1})}});
  ASSERT_EQ(out[0].shape(), (Shape{B, D, S}));
  const int32_t* y = out[0].data<int32_t>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t d = 0; d < D; ++d)
      for (int64_t s = 0; s < S; ++s) ASSERT_EQ(y[(b * D + d) * S + s], v[(b * S + s) * D + d]);
}

TEST(Transpose, KeepsInnerAxisForHeadSplit) {
  // [S, H, D] -> [H, S, D]: the inner axis stays, so rows are copied whole.
  std::vector<float> v(2 * 3 * 2);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  auto out = run_node("Transpose", {make_tensor<float>({2, 3, 2}, v)}, {{"perm", ints_attribute({1, 0, 2})}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11}));
}

TEST(Transpose, StringsMove) {
  auto out = run_node("Transpose", {make_tensor<std::string>({2, 2}, {"a", "b", "c", "d"})});
  EXPECT_EQ(values_of<std::string>(out[0]), (std::vector<std::string>{"a", "c", "b", "d"}));
}

TEST(Transpose, RejectsBadPerm) {
  Tensor x = make_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_THROW(run_node("Transpose", {x}, {{"perm", ints_attribute({0, 0})}}), Error);
  EXPECT_THROW(run_node("Transpose", {x}, {{"perm", ints_attribute({0, 2})}}), Error);
  EXPECT_THROW(run_node("Transpose", {x}, {{"perm", ints_attribute({1, 0, 2})}}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
