#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(NonMaxSuppression, DropsOverlappingLowerScores) {
  Tensor boxes = make_tensor<float>({1, 3, 4}, {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 5, 1, 6});
  Tensor scores = make_tensor<float>({1, 1, 3}, {0.8f, 0.9f, 0.7f});
  auto out = run_node("NonMaxSuppression",
                      {boxes, scores, Tensor::scalar<int64_t>(10), Tensor::scalar<float>(0.5f)});
  EXPECT_EQ(out[0].describe(), "int64[2,3]");
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{0, 0, 1, 0, 0, 2}));
}

TEST(NonMaxSuppression, ScoreThresholdAndLimit) {
  Tensor boxes = make_tensor<float>({1, 2, 4}, {0, 0, 1, 1, 0, 5, 1, 6});
  Tensor scores = make_tensor<float>({1, 1, 2}, {0.8f, 0.2f});
  auto out = run_node("NonMaxSuppression", {boxes, scores, Tensor::scalar<int64_t>(1), Tensor::scalar<float>(0.5f),
                                            Tensor::scalar<float>(0.1f)});
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{0, 0, 0}));
}

TEST(NonMaxSuppression, RejectsScoresForOtherBoxes) {
  EXPECT_THROW(run_node("NonMaxSuppression", {make_tensor<float>({1, 2, 4}, std::vector<float>(8, 0)),
                                              make_tensor<float>({1, 1, 3}, {1, 2, 3})}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
