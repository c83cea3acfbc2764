#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Tensor i64(std::vector<int64_t> v) { return make_tensor<int64_t>({static_cast<int64_t>(v.size())}, v); }

Tensor iota_tensor(Shape shape) {
  std::vector<float> v(static_cast<size_t>(num_elements(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return make_tensor<float>(std::move(shape), v);
}

TEST(Reshape, ZeroCopiesDimAndMinusOneInfers) {
  Tensor x = iota_tensor({2, 3, 4});
  auto out = run_node("Reshape", {x, i64({0, -1})});
  EXPECT_EQ(out[0].shape(), (Shape{2, 12}));
  EXPECT_EQ(out[0].raw(), x.raw());
}

TEST(Reshape, AllowZeroKeepsZeroAsADimension) {
  Tensor x = make_tensor<float>({0, 3}, {});
  auto out = run_node("Reshape", {x, i64({3, 0})}, {{"allowzero", int_attribute(1)}}, 1, 14);
  EXPECT_EQ(out[0].shape(), (Shape{3, 0}));
}

TEST(Reshape, OldOpsetTakesShapeAttribute) {
  auto out = run_node("Reshape", {iota_tensor({6})}, {{"shape", ints_attribute({3, 2})}}, 1, 4);
  EXPECT_EQ(out[0].shape(), (Shape{3, 2}));
}

TEST(Reshape, RejectsBadShapes) {
  EXPECT_THROW(run_node("Reshape", {iota_tensor({6}), i64({4, -1})}), Error);
  EXPECT_THROW(run_node("Reshape", {iota_tensor({6}), i64({-1, -1})}), Error);
  EXPECT_THROW(run_node("Reshape", {iota_tensor({6}), i64({-2, -3})}), Error);
  EXPECT_THROW(run_node("Reshape", {iota_tensor({6}), i64({6, 0})}), Error);
  EXPECT_THROW(run_node("Reshape", {make_tensor<float>({0}, {}), i64({INT64_MAX, 4, 0})}), Error);
}

TEST(Flatten, SplitsAtAxisIncludingNegativeAndZero) {
  Tensor x = iota_tensor({2, 3, 4});
  EXPECT_EQ(run_node("Flatten", {x}, {{"axis", int_attribute(-1)}})[0].shape(), (Shape{6, 4}));
  EXPECT_EQ(run_node("Flatten", {x}, {{"axis", int_attribute(0)}})[0].shape(), (Shape{1, 24}));
  EXPECT_EQ(run_node("Flatten", {x}, {{"axis", int_attribute(3)}})[0].shape(), (Shape{24, 1}));
  EXPECT_THROW(run_node("Flatten", {x}, {{"axis", int_attribute(4)}}), Error);
}

TEST(Squeeze, AxesAsInputFromOpset13AndAttributeBefore) {
  Tensor x = iota_tensor({1, 3, 1, 2});
  EXPECT_EQ(run_node("Squeeze", {x, i64({-2})})[0].shape(), (Shape{1, 3, 2}));
  EXPECT_EQ(run_node("Squeeze", {x}, {{"axes", ints_attribute({0})}}, 1, 11)[0].shape(), (Shape{3, 1, 2}));
  EXPECT_EQ(run_node("Squeeze", {x})[0].shape(), (Shape{3, 2}));
  EXPECT_THROW(run_node("Squeeze", {x, i64({1})}), Error);
}

TEST(Unsqueeze, InsertsAtOutputPositions) {
  Tensor x = iota_tensor({3, 2});
  EXPECT_EQ(run_node("Unsqueeze", {x, i64({-1, 0})})[0].shape(), (Shape{1, 3, 2, 1}));
  EXPECT_EQ(run_node("Unsqueeze", {x}, {{"axes", ints_attribute({1})}}, 1, 11)[0].shape(), (Shape{3, 1, 2}));
  EXPECT_THROW(run_node("Unsqueeze", {x, i64({0, 0})}), Error);
  EXPECT_THROW(run_node("Unsqueeze", {x, i64({5})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
