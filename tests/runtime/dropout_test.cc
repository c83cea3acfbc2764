#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(Dropout, InferencePassesInputThroughWithFullMask) {
  Tensor x = make_tensor<float>({3}, {1, 2, 3});
  auto out = run_node("Dropout", {x}, {}, 2);
  EXPECT_EQ(out[0].raw(), x.raw());
  EXPECT_EQ(values_of<bool>(out[1]), (std::vector<bool>{true, true, true}));
}

TEST(Dropout, OldOpsetsMaskHasInputType) {
  auto out = run_node("Dropout", {make_tensor<float>({2}, {1, 2})}, {{"ratio", float_attr(0.3f)}}, 2, 7);
  EXPECT_EQ(values_of<float>(out[1]), (std::vector<float>{1, 1}));
}

TEST(Dropout, TrainingWithZeroRatioIsIdentity) {
  auto out = run_node("Dropout", {make_tensor<float>({2}, {1, 2}), Tensor::scalar(0.0f), Tensor::scalar(true)});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 2}));
}

}  // namespace
}  // namespace onnxgen::testing
