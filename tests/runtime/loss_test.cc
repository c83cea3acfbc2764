#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(NegativeLogLikelihoodLoss, WeightedMeanSkipsIgnoredTargets) {
  Tensor input = make_tensor<float>({3, 2}, {-1, -2, -3, -4, -5, -6});
  Tensor target = make_tensor<int64_t>({3}, {0, 1, 1});
  Tensor weight = make_tensor<float>({2}, {1, 3});
  auto out = run_node("NegativeLogLikelihoodLoss", {input, target, weight}, {{"ignore_index", int_attribute(0)}}, 1, 13);
  // Only the two class-1 targets count: (4*3 + 6*3) / (3 + 3)
  EXPECT_FLOAT_EQ(values_of<float>(out[0])[0], 5);
  auto none = run_node("NegativeLogLikelihoodLoss", {input, target}, {{"reduction", string_attribute("none")}}, 1, 13);
  EXPECT_EQ(values_of<float>(none[0]), (std::vector<float>{1, 4, 6}));
}

TEST(SoftmaxCrossEntropyLoss, SumWithLogProbOutput) {
  Tensor scores = make_tensor<float>({1, 2}, {0, 0});
  auto out = run_node("SoftmaxCrossEntropyLoss", {scores, make_tensor<int32_t>({1}, {1})}, {{"reduction", string_attribute("sum")}}, 2, 13);
  EXPECT_NEAR(values_of<float>(out[0])[0], std::log(2.0f), 1e-6);
  EXPECT_NEAR(values_of<float>(out[1])[0], -std::log(2.0f), 1e-6);
}

TEST(NegativeLogLikelihoodLoss, OutOfRangeTargetOrBadReductionThrows) {
  Tensor input = make_tensor<float>({1, 2}, {-1, -2});
  EXPECT_THROW(run_node("NegativeLogLikelihoodLoss", {input, make_tensor<int64_t>({1}, {2})}, {}, 1, 13), Error);
  EXPECT_THROW(run_node("NegativeLogLikelihoodLoss", {input, make_tensor<int64_t>({1}, {0})}, {{"reduction", string_attribute("max")}}, 1, 13),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
