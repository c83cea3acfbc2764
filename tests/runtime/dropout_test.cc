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
  auto out = run_node("Dropout", {make_tensor<float>({2}, {1, 2})}, {{"ratio", float_attribute(0.3f)}}, 2, 7);
  EXPECT_EQ(values_of<float>(out[1]), (std::vector<float>{1, 1}));
}

TEST(Dropout, TrainingWithZeroRatioIsIdentity) {
  auto out = run_node("Dropout", {make_tensor<float>({2}, {1, 2}), Tensor::scalar(0.0f), Tensor::scalar(true)});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 2}));
}

TEST(Dropout, SeededTrainingIsReproducibleAndScalesKeptElements) {
  Tensor x = make_tensor<float>({64}, std::vector<float>(64, 2.0f));
  auto run = [&] {
    return run_node("Dropout", {x, Tensor::scalar(0.75f), Tensor::scalar(true)}, {{"seed", int_attribute(0)}}, 2);
  };
  auto a = run(), b = run();
  EXPECT_EQ(values_of<float>(a[0]), values_of<float>(b[0]));
  int kept = 0;
  for (int64_t i = 0; i < 64; ++i) {
    const bool keep = a[1].data<bool>()[i];
    kept += keep;
    EXPECT_EQ(a[0].data<float>()[i], keep ? 8.0f : 0.0f);
  }
  EXPECT_GT(kept, 0);
  EXPECT_LT(kept, 40);
}

TEST(Dropout, RejectsRatioOutsideUnitInterval) {
  EXPECT_THROW(run_node("Dropout", {make_tensor<float>({1}, {1}), Tensor::scalar(1.5f), Tensor::scalar(true)}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
