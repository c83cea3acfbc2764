#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Tensor axis(int64_t a) { return make_tensor<int64_t>({}, {a}); }

TEST(CumSum, InclusiveForward) {
  auto out = run_node("CumSum", {make_tensor<float>({4}, {1, 2, 3, 4}), axis(0)});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 3, 6, 10}));
}

TEST(CumSum, ExclusiveReverse) {
  auto out = run_node("CumSum", {make_tensor<int32_t>({4}, {1, 2, 3, 4}), axis(0)},
                      {{"exclusive", int_attribute(1)}, {"reverse", int_attribute(1)}});
  EXPECT_EQ(values_of<int32_t>(out[0]), (std::vector<int32_t>{9, 7, 4, 0}));
}

TEST(CumSum, LeadingAxisOfMatrix) {
  auto out = run_node("CumSum", {make_tensor<double>({2, 2}, {1, 2, 3, 4}), axis(-2)});
  EXPECT_EQ(values_of<double>(out[0]), (std::vector<double>{1, 2, 4, 6}));
}

TEST(CumSum, BadAxisThrows) {
  EXPECT_THROW(run_node("CumSum", {make_tensor<float>({2}, {1, 2}), axis(1)}), Error);
  EXPECT_THROW(run_node("CumSum", {make_tensor<float>({2}, {1, 2}), make_tensor<float>({}, {0})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
