#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(ConvTranspose, ScattersEachInputThroughTheKernel) {
  // 1-D: x = [1, 2], w = [1, 1, 1], stride 1 -> [1, 3, 3, 2].
  auto out = run_node("ConvTranspose", {make_tensor<float>({1, 1, 2}, {1, 2}), make_tensor<float>({1, 1, 3}, {1, 1, 1})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 3, 3, 2}));
}

TEST(ConvTranspose, StridesOutputPaddingAndBias) {
  // Stride 2 leaves gaps; output_padding adds one trailing element; bias shifts everything.
  auto out = run_node("ConvTranspose",
                      {make_tensor<float>({1, 1, 2}, {1, 2}), make_tensor<float>({1, 1, 1}, {3}), make_tensor<float>({1}, {1})},
                      {{"strides", ints_attribute({2})}, {"output_padding", ints_attribute({1})}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{4, 1, 7, 1}));
}

TEST(ConvTranspose, OutputShapeDerivesPads) {
  auto out = run_node("ConvTranspose", {make_tensor<float>({1, 1, 2}, {1, 2}), make_tensor<float>({1, 1, 3}, {1, 1, 1})},
                      {{"output_shape", ints_attribute({2})}});
  // Full result [1, 3, 3, 2] trimmed by one at each end.
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{3, 3}));
}

TEST(ConvTranspose, RejectsWeightsForOtherChannels) {
  EXPECT_THROW(run_node("ConvTranspose", {make_tensor<float>({1, 2, 2}, {1, 2, 3, 4}), make_tensor<float>({1, 1, 3}, {1, 1, 1})}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
