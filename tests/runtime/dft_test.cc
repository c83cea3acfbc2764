#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

void expect_near(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << "at " << i;
}

TEST(DFT, ImpulseHasAFlatSpectrum) {
  auto out = run_node("DFT", {make_tensor<float>({1, 4, 1}, {1, 0, 0, 0})});
  EXPECT_EQ(out[0].describe(), "float32[1,4,2]");
  expect_near(values_of<float>(out[0]), {1, 0, 1, 0, 1, 0, 1, 0});
}

TEST(DFT, OnesidedKeepsHalfTheBinsAndInverseRoundTrips) {
  auto half = run_node("DFT", {make_tensor<float>({1, 4, 1}, {1, 1, 1, 1})}, {{"onesided", int_attribute(1)}});
  expect_near(values_of<float>(half[0]), {4, 0, 0, 0, 0, 0});
  auto spectrum = run_node("DFT", {make_tensor<float>({1, 2, 1}, {1, 3})});
  auto back = run_node("DFT", {spectrum[0]}, {{"inverse", int_attribute(1)}});
  expect_near(values_of<float>(back[0]), {1, 0, 3, 0});
}

TEST(DFT, Opset20TakesTheAxisAsAnInputDefaultingToTheLastSignalAxis) {
  // [2 signals of length 2] along axis 1 (= -2): [1, 3] -> [4, -2], [0, 1] -> [1, -1].
  Tensor x = make_tensor<float>({2, 2, 1}, {1, 3, 0, 1});
  auto out = run_node("DFT", {x}, {}, 1, 20);
  expect_near(values_of<float>(out[0]), {4, 0, -2, 0, 1, 0, -1, 0});
  auto along0 = run_node("DFT", {x, Tensor(), Tensor::scalar<int64_t>(0)}, {}, 1, 20);
  expect_near(values_of<float>(along0[0]), {1, 0, 4, 0, 1, 0, 2, 0});
}

TEST(STFT, FramesTheSignal) {
  auto out = run_node("STFT", {make_tensor<float>({1, 4, 1}, {1, 1, 2, 2}), Tensor::scalar<int64_t>(2), Tensor(),
                               Tensor::scalar<int64_t>(2)});
  EXPECT_EQ(out[0].describe(), "float32[1,2,2,2]");
  expect_near(values_of<float>(out[0]), {2, 0, 0, 0, 4, 0, 0, 0});
}

TEST(DFT, RejectsASignalWithoutAComponentDim) {
  EXPECT_THROW(run_node("DFT", {make_tensor<float>({1, 4, 3}, std::vector<float>(12, 0))}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
