#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

std::vector<float> iota_values(int n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[i] = static_cast<float>(i);
  return v;
}

TEST(Conv, SumsEachWindowOnTheOnednnPath) {
  auto out = run_node("Conv", {make_tensor<float>({1, 1, 3, 3}, iota_values(9)),
                               make_tensor<float>({1, 1, 2, 2}, {1, 1, 1, 1})});
  EXPECT_EQ(out[0].describe(), "float32[1,1,2,2]");
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{8, 12, 20, 24}));
}

TEST(Conv, DoubleUsesIm2colWithBiasPadsAndStrides) {
  auto out = run_node("Conv",
                      {make_tensor<double>({1, 1, 3, 3}, std::vector<double>(9, 1.0)),
                       make_tensor<double>({1, 1, 3, 3}, std::vector<double>(9, 1.0)), make_tensor<double>({1}, {0.5})},
                      {{"pads", ints_attribute({1, 1, 1, 1})}, {"strides", ints_attribute({2, 2})}});
  // Each corner window covers a 2x2 patch of ones.
  EXPECT_EQ(values_of<double>(out[0]), (std::vector<double>{4.5, 4.5, 4.5, 4.5}));
}

TEST(Conv, GroupsKeepChannelsApart) {
  // Depthwise 1-D: channel 0 weighted by 1, channel 1 by 10.
  auto out = run_node("Conv",
                      {make_tensor<float>({1, 2, 3}, {1, 2, 3, 4, 5, 6}), make_tensor<float>({2, 1, 1}, {1, 10})},
                      {{"group", int_attribute(2)}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 2, 3, 40, 50, 60}));
}

TEST(Conv, SameUpperPadsToKeepTheSize) {
  auto out = run_node("Conv", {make_tensor<float>({1, 1, 4}, {1, 2, 3, 4}), make_tensor<float>({1, 1, 2}, {1, 1})},
                      {{"auto_pad", string_attribute("SAME_UPPER")}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{3, 5, 7, 4}));
}

TEST(Conv, RejectsMismatchedChannels) {
  EXPECT_THROW(run_node("Conv", {make_tensor<float>({1, 2, 3, 3}, iota_values(18)),
                                 make_tensor<float>({1, 1, 2, 2}, {1, 1, 1, 1})}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
