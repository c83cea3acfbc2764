#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(Expand, BroadcastsBothWays) {
  // [3,1] with shape [2,1,2] -> [2,3,2]: the input's 1 stretches and a leading dim is added.
  auto out = run_node("Expand", {make_tensor<float>({3, 1}, {1, 2, 3}), make_tensor<int64_t>({3}, {2, 1, 2})});
  EXPECT_EQ(out[0].shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
}

TEST(Expand, RejectsIncompatibleShape) {
  EXPECT_THROW(run_node("Expand", {make_tensor<float>({3}, {1, 2, 3}), make_tensor<int64_t>({1}, {2})}), Error);
}

TEST(Tile, RepeatsEachAxis) {
  auto out = run_node("Tile", {make_tensor<int32_t>({2, 2}, {1, 2, 3, 4}), make_tensor<int64_t>({2}, {2, 1})});
  EXPECT_EQ(out[0].shape(), (Shape{4, 2}));
  EXPECT_EQ(values_of<int32_t>(out[0]), (std::vector<int32_t>{1, 2, 3, 4, 1, 2, 3, 4}));
  out = run_node("Tile", {make_tensor<int32_t>({2}, {1, 2}), make_tensor<int64_t>({1}, {3})});
  EXPECT_EQ(values_of<int32_t>(out[0]), (std::vector<int32_t>{1, 2, 1, 2, 1, 2}));
}

TEST(Tile, RejectsWrongRepeats) {
  EXPECT_THROW(run_node("Tile", {make_tensor<int32_t>({2}, {1, 2}), make_tensor<int64_t>({2}, {1, 1})}), Error);
  EXPECT_THROW(run_node("Tile", {make_tensor<int32_t>({2}, {1, 2}), make_tensor<int64_t>({1}, {-1})}), Error);
  EXPECT_THROW(run_node("Tile", {make_tensor<int32_t>({2}, {1, 2}), make_tensor<int64_t>({1}, {INT64_MAX / 2 + 1})}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
