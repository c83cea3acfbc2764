#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Tensor square() { return make_tensor<int32_t>({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}); }

TEST(Trilu, UpperAndLowerWithDiagonalOffset) {
  EXPECT_EQ(values_of<int32_t>(run_node("Trilu", {square()})[0]), (std::vector<int32_t>{1, 2, 3, 0, 5, 6, 0, 0, 9}));
  auto lower = run_node("Trilu", {square(), Tensor::scalar<int64_t>(-1)}, {{"upper", int_attribute(0)}});
  EXPECT_EQ(values_of<int32_t>(lower[0]), (std::vector<int32_t>{0, 0, 0, 4, 0, 0, 7, 8, 0}));
  auto far = run_node("Trilu", {square(), Tensor::scalar<int64_t>(INT64_MAX)});
  EXPECT_EQ(values_of<int32_t>(far[0]), std::vector<int32_t>(9, 0));
}

TEST(Trilu, AppliesPerMatrixOfABatch) {
  auto out = run_node("Trilu", {make_tensor<float>({2, 2, 2}, {1, 1, 1, 1, 2, 2, 2, 2})}, {{"upper", int_attribute(0)}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 0, 1, 1, 2, 0, 2, 2}));
}

TEST(Trilu, RejectsVectors) { EXPECT_THROW(run_node("Trilu", {make_tensor<float>({2}, {1, 2})}), Error); }

}  // namespace
}  // namespace onnxgen::testing
