#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(Unique, SortedFlatWithAllOutputs) {
  auto out = run_node("Unique", {make_tensor<float>({5}, {2, 1, 1, 3, 2})}, {}, 4);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{1, 0, 3}));
  EXPECT_EQ(values_of<int64_t>(out[2]), (std::vector<int64_t>{1, 0, 0, 2, 1}));
  EXPECT_EQ(values_of<int64_t>(out[3]), (std::vector<int64_t>{2, 2, 1}));
}

TEST(Unique, UnsortedKeepsFirstOccurrenceOrder) {
  auto out = run_node("Unique", {make_tensor<int32_t>({5}, {2, 1, 1, 3, 2})}, {{"sorted", int_attribute(0)}}, 3);
  EXPECT_EQ(values_of<int32_t>(out[0]), (std::vector<int32_t>{2, 1, 3}));
  EXPECT_EQ(values_of<int64_t>(out[2]), (std::vector<int64_t>{0, 1, 1, 2, 0}));
}

TEST(Unique, RowsAlongAxis) {
  auto out = run_node("Unique", {make_tensor<int64_t>({3, 2}, {1, 0, 0, 1, 1, 0})}, {{"axis", int_attribute(0)}}, 4);
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{0, 1, 1, 0}));
  EXPECT_EQ(values_of<int64_t>(out[3]), (std::vector<int64_t>{1, 2}));
}

TEST(Unique, Strings) {
  auto out = run_node("Unique", {make_tensor<std::string>({3}, {"b", "a", "b"})});
  EXPECT_EQ(values_of<std::string>(out[0]), (std::vector<std::string>{"a", "b"}));
}

TEST(Unique, NaNsSortLastAsOneValue) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto out = run_node("Unique", {make_tensor<float>({4}, {nan, 1, nan, 0})}, {}, 4);
  ASSERT_EQ(out[0].shape(), (Shape{3}));
  EXPECT_EQ(values_of<float>(out[0])[0], 0);
  EXPECT_TRUE(std::isnan(values_of<float>(out[0])[2]));
  EXPECT_EQ(values_of<int64_t>(out[3]), (std::vector<int64_t>{1, 1, 2}));
}

TEST(Unique, RejectsBadAxis) {
  EXPECT_THROW(run_node("Unique", {make_tensor<float>({2}, {1, 2})}, {{"axis", int_attribute(1)}}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
