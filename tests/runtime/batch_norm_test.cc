#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Tensor vec(std::vector<float> v) { return make_tensor<float>({static_cast<int64_t>(v.size())}, v); }

TEST(BatchNormalization, InferenceUsesGivenStatistics) {
  Tensor x = make_tensor<float>({1, 2, 2}, {1, 3, 10, 20});
  auto out = run_node("BatchNormalization", {x, vec({2, 1}), vec({0, 1}), vec({2, 10}), vec({4, 1})}, {{"epsilon", float_attribute(0)}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{-1, 1, 1, 11}));
}

TEST(BatchNormalization, TrainingModeUpdatesRunningStatistics) {
  Tensor x = make_tensor<float>({2, 1, 1}, {1, 3});
  auto out = run_node("BatchNormalization", {x, vec({1}), vec({0}), vec({0}), vec({1})},
                      {{"epsilon", float_attribute(0)}, {"momentum", float_attribute(0.5f)}, {"training_mode", int_attribute(1)}}, 3, 15);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{-1, 1}));
  EXPECT_EQ(values_of<float>(out[1]), (std::vector<float>{1}));  // 0 * 0.5 + 2 * 0.5
  EXPECT_EQ(values_of<float>(out[2]), (std::vector<float>{1}));  // 1 * 0.5 + 1 * 0.5
}

TEST(BatchNormalization, WrongChannelCountThrows) {
  Tensor x = make_tensor<float>({1, 2, 1}, {1, 2});
  EXPECT_THROW(run_node("BatchNormalization", {x, vec({1}), vec({0, 0}), vec({0, 0}), vec({1, 1})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
