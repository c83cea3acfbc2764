#include <gtest/gtest.h>

#include <limits>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Tensor i64(std::vector<int64_t> v) { return make_tensor<int64_t>({static_cast<int64_t>(v.size())}, v); }

Tensor input() {
  std::vector<float> v(20);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return make_tensor<float>({4, 5}, v);
}

TEST(Slice, StepsAndClampedEnds) {
  auto out = run_node("Slice", {input(), i64({1, 0}), i64({1000, 5}), i64({0, 1}), i64({2, 2})});
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{5, 7, 9, 15, 17, 19}));
}

TEST(Slice, NegativeStepReversesToTheStart) {
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  auto out = run_node("Slice", {input(), i64({-1}), i64({kMin}), i64({1}), i64({-2})});
  EXPECT_EQ(out[0].shape(), (Shape{4, 3}));
  EXPECT_EQ(values_of<float>(out[0]).front(), 4);
  EXPECT_EQ(values_of<float>(out[0])[1], 2);
}

TEST(Slice, EmptyWhenStartPassesEnd) {
  auto out = run_node("Slice", {input(), i64({3}), i64({1}), i64({0})});
  EXPECT_EQ(out[0].shape(), (Shape{0, 5}));
}

TEST(Slice, AttributesBeforeOpset10) {
  auto out = run_node("Slice", {input()},
                      {{"starts", ints_attribute({1})}, {"ends", ints_attribute({2})}, {"axes", ints_attribute({1})}}, 1, 9);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 6, 11, 16}));
}

TEST(Slice, RejectsZeroStepAndBadAxes) {
  EXPECT_THROW(run_node("Slice", {input(), i64({0}), i64({2}), i64({0}), i64({0})}), Error);
  EXPECT_THROW(run_node("Slice", {input(), i64({0}), i64({2}), i64({2})}), Error);
  EXPECT_THROW(run_node("Slice", {input(), i64({0, 0}), i64({2})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
