#include <gtest/gtest.h>

#include <limits>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Tensor k(int64_t v) { return make_tensor<int64_t>({1}, {v}); }

TEST(TopK, LargestWithTiesByIndex) {
  auto out = run_node("TopK", {make_tensor<float>({5}, {1, 3, 2, 3, 0}), k(3)}, {}, 2);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{3, 3, 2}));
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{1, 3, 2}));
}

TEST(TopK, SmallestAlongLeadingAxis) {
  Tensor x = make_tensor<int32_t>({3, 2}, {5, 1, 4, 2, 6, 0});
  auto out = run_node("TopK", {x, k(1)}, {{"axis", int_attribute(0)}, {"largest", int_attribute(0)}}, 2);
  EXPECT_EQ(out[0].describe(), "int32[1,2]");
  EXPECT_EQ(values_of<int32_t>(out[0]), (std::vector<int32_t>{4, 0}));
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{1, 2}));
}

TEST(TopK, KAttributeBeforeOpset10) {
  auto out = run_node("TopK", {make_tensor<float>({3}, {1, 3, 2})}, {{"k", int_attribute(1)}}, 2, 9);
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{1}));
}

TEST(TopK, NaNRanksAboveNumbers) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto out = run_node("TopK", {make_tensor<float>({3}, {1, nan, 2}), k(2)}, {}, 2);
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{1, 2}));
  out = run_node("TopK", {make_tensor<float>({3}, {1, nan, 2}), k(2)}, {{"largest", int_attribute(0)}}, 2);
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{0, 2}));
}

TEST(TopK, KLargerThanAxisThrows) {
  EXPECT_THROW(run_node("TopK", {make_tensor<float>({2}, {1, 2}), k(3)}, {}, 2), Error);
  EXPECT_THROW(run_node("TopK", {make_tensor<float>({2}, {1, 2}), k(-1)}, {}, 2), Error);
}

}  // namespace
}  // namespace onnxgen::testing
