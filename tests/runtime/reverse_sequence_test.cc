#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(ReverseSequence, ReversesEachBatchPrefix) {
  // [batch=2, time=3] with batch_axis 0: row b reverses its first lens[b] entries.
  auto out =
      run_node("ReverseSequence", {make_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}), make_tensor<int64_t>({2}, {3, 2})},
               {{"batch_axis", int_attribute(0)}, {"time_axis", int_attribute(1)}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{3, 2, 1, 5, 4, 6}));
}

TEST(ReverseSequence, TimeMajor) {
  auto out = run_node("ReverseSequence", {make_tensor<float>({2, 2}, {1, 2, 3, 4}), make_tensor<int64_t>({2}, {1, 2})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 4, 3, 2}));
}

TEST(ReverseSequence, RejectsLengthsBeyondTime) {
  EXPECT_THROW(
      run_node("ReverseSequence", {make_tensor<float>({2, 2}, {1, 2, 3, 4}), make_tensor<int64_t>({2}, {3, 1})}),
      Error);
  EXPECT_THROW(run_node("ReverseSequence", {make_tensor<float>({2, 2}, {1, 2, 3, 4}), make_tensor<int64_t>({1}, {1})}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
