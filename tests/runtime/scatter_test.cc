#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Tensor data() { return make_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}); }

TEST(ScatterND, WritesSlicesAndLeavesInputAlone) {
  Tensor d = data();
  auto out = run_node("ScatterND", {d, make_tensor<int64_t>({1, 1}, {-1}), make_tensor<float>({1, 3}, {7, 8, 9})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 2, 3, 7, 8, 9}));
  EXPECT_EQ(values_of<float>(d), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(ScatterND, ReductionsAccumulateRepeats) {
  Tensor idx = make_tensor<int64_t>({2, 2}, {0, 1, 0, 1});
  Tensor upd = make_tensor<float>({2}, {10, 3});
  auto add = run_node("ScatterND", {data(), idx, upd}, {{"reduction", string_attribute("add")}}, 1, 16);
  EXPECT_EQ(values_of<float>(add[0])[1], 15);
  auto mx = run_node("ScatterND", {data(), idx, upd}, {{"reduction", string_attribute("max")}}, 1, 18);
  EXPECT_EQ(values_of<float>(mx[0])[1], 10);
}

TEST(ScatterND, RejectsBadIndicesOrUpdates) {
  EXPECT_THROW(
      run_node("ScatterND", {data(), make_tensor<int64_t>({1, 1}, {2}), make_tensor<float>({1, 3}, {0, 0, 0})}), Error);
  EXPECT_THROW(run_node("ScatterND", {data(), make_tensor<int64_t>({1, 1}, {0}), make_tensor<float>({1, 2}, {0, 0})}),
               Error);
  EXPECT_THROW(run_node("ScatterND", {data(), make_tensor<int64_t>({1, 1}, {0}), make_tensor<float>({1, 3}, {0, 0, 0})},
                        {{"reduction", string_attribute("avg")}}),
               Error);
}

TEST(ScatterElements, WritesAlongAxis) {
  auto out =
      run_node("ScatterElements", {data(), make_tensor<int64_t>({1, 2}, {2, -3}), make_tensor<float>({1, 2}, {9, 8})},
               {{"axis", int_attribute(1)}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{8, 2, 9, 4, 5, 6}));
  auto mul =
      run_node("ScatterElements", {data(), make_tensor<int64_t>({2, 1}, {1, 1}), make_tensor<float>({2, 1}, {2, 3})},
               {{"reduction", string_attribute("mul")}}, 1, 16);
  EXPECT_EQ(values_of<float>(mul[0]), (std::vector<float>{1, 2, 3, 24, 5, 6}));
}

TEST(Scatter, LegacyOpIsScatterElements) {
  auto out =
      run_node("Scatter", {data(), make_tensor<int64_t>({1, 1}, {1}), make_tensor<float>({1, 1}, {0})}, {}, 1, 9);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 2, 3, 0, 5, 6}));
  EXPECT_THROW(
      run_node("Scatter", {data(), make_tensor<int64_t>({1, 1}, {2}), make_tensor<float>({1, 1}, {0})}, {}, 1, 9),
      Error);
}

}  // namespace
}  // namespace onnxgen::testing
