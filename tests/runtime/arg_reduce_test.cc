#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(ArgMax, FirstIndexAlongAxisByDefault) {
  Tensor x = make_tensor<float>({2, 3}, {1, 5, 5, 7, 2, 7});
  auto out = run_node("ArgMax", {x}, {{"axis", int_attribute(1)}});
  EXPECT_EQ(out[0].describe(), "int64[2,1]");
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{1, 0}));
}

TEST(ArgMax, SelectLastIndexWithoutKeepdims) {
  Tensor x = make_tensor<float>({2, 3}, {1, 5, 5, 7, 2, 7});
  auto out = run_node("ArgMax", {x}, {{"axis", int_attribute(-1)}, {"keepdims", int_attribute(0)}, {"select_last_index", int_attribute(1)}});
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{2, 2}));
}

TEST(ArgMin, LeadingAxisOfIntegers) {
  Tensor x = make_tensor<int32_t>({2, 2}, {3, 1, 2, 4});
  auto out = run_node("ArgMin", {x}, {{"keepdims", int_attribute(0)}});
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{1, 0}));
}

TEST(ArgMax, BadAxisOrEmptyAxisThrows) {
  EXPECT_THROW(run_node("ArgMax", {make_tensor<float>({2}, {1, 2})}, {{"axis", int_attribute(1)}}), Error);
  EXPECT_THROW(run_node("ArgMax", {make_tensor<float>({2, 0}, {})}, {{"axis", int_attribute(1)}}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
