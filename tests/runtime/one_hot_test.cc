#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(OneHot, LastAxisWithNegativeAndOutOfRangeIndices) {
  auto out = run_node(
      "OneHot", {make_tensor<int64_t>({3}, {0, -1, 7}), Tensor::scalar<int64_t>(3), make_tensor<float>({2}, {0, 5})});
  EXPECT_EQ(out[0].shape(), (Shape{3, 3}));
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{5, 0, 0, 0, 0, 5, 0, 0, 0}));
}

TEST(OneHot, LeadingAxis) {
  auto out =
      run_node("OneHot", {make_tensor<int32_t>({2}, {1, 0}), Tensor::scalar(2.0f), make_tensor<int32_t>({2}, {-1, 1})},
               {{"axis", int_attribute(0)}});
  EXPECT_EQ(values_of<int32_t>(out[0]), (std::vector<int32_t>{-1, 1, 1, -1}));
}

TEST(OneHot, RejectsBadDepthOrValues) {
  Tensor idx = make_tensor<int64_t>({1}, {0});
  EXPECT_THROW(run_node("OneHot", {idx, Tensor::scalar<int64_t>(0), make_tensor<float>({2}, {0, 1})}), Error);
  EXPECT_THROW(run_node("OneHot", {idx, Tensor::scalar<int64_t>(2), make_tensor<float>({3}, {0, 1, 2})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
