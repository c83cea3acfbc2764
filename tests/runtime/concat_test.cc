#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(Concat, JoinsAlongInnerAxis) {
  auto out = run_node("Concat", {make_tensor<float>({2, 1}, {1, 2}), make_tensor<float>({2, 2}, {3, 4, 5, 6})},
                      {{"axis", int_attribute(-1)}});
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 3, 4, 2, 5, 6}));
}

TEST(Concat, SkipsEmptyInputs) {
  auto out =
      run_node("Concat", {make_tensor<int64_t>({0}, {}), make_tensor<int64_t>({2}, {7, 8})}, {{"axis", int_attribute(0)}});
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{7, 8}));
}

TEST(Concat, RejectsMismatchedShapesAndTypes) {
  EXPECT_THROW(run_node("Concat", {make_tensor<float>({2, 1}, {1, 2}), make_tensor<float>({3, 1}, {1, 2, 3})},
                        {{"axis", int_attribute(1)}}),
               Error);
  EXPECT_THROW(
      run_node("Concat", {make_tensor<float>({1}, {1}), make_tensor<int32_t>({1}, {1})}, {{"axis", int_attribute(0)}}),
      Error);
  EXPECT_THROW(run_node("Concat", {make_tensor<float>({1}, {1})}, {{"axis", int_attribute(1)}}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
