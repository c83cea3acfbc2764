#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(NonZero, CoordinatesPerAxis) {
  auto out = run_node("NonZero", {make_tensor<float>({2, 2}, {1, 0, 0, -2})});
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{0, 1, 0, 1}));
  out = run_node("NonZero", {make_tensor<bool>({3}, {false, true, false})});
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{1}));
}

TEST(Compress, AlongAxisAndFlat) {
  Tensor x = make_tensor<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  auto out = run_node("Compress", {x, make_tensor<bool>({2}, {false, true})}, {{"axis", int_attribute(-1)}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{2, 4, 6}));
  out = run_node("Compress", {x, make_tensor<bool>({4}, {true, false, false, true})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 4}));
}

TEST(Compress, RejectsLongOrNonBoolCondition) {
  Tensor x = make_tensor<float>({2}, {1, 2});
  EXPECT_THROW(run_node("Compress", {x, make_tensor<bool>({3}, {true, true, true})}), Error);
  EXPECT_THROW(run_node("Compress", {x, make_tensor<int64_t>({2}, {1, 1})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
