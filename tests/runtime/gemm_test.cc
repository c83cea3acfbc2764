#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(Gemm, TransposesScalesAndBroadcastsC) {
  // A^T = [[1,2],[3,4]], B^T = I
  Tensor a = make_tensor<float>({2, 2}, {1, 3, 2, 4});
  Tensor b = make_tensor<float>({2, 2}, {1, 0, 0, 1});
  Tensor c = make_tensor<float>({2}, {10, 20});
  auto out = run_node("Gemm", {a, b, c},
                      {{"transA", int_attribute(1)}, {"transB", int_attribute(1)}, {"alpha", float_attribute(2)}, {"beta", float_attribute(0.5f)}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{7, 14, 11, 18}));
}

TEST(Gemm, WithoutCAndInDouble) {
  auto out = run_node("Gemm", {make_tensor<double>({1, 2}, {1, 2}), make_tensor<double>({2, 1}, {3, 4}), Tensor()});
  EXPECT_EQ(values_of<double>(out[0]), (std::vector<double>{11}));
}

TEST(Gemm, HalfPrecisionAccumulatesOntoC) {
  auto h = [](float v) { return Float16(v); };
  Tensor a = make_tensor<Float16>({1, 2}, {h(1), h(2)});
  Tensor b = make_tensor<Float16>({2, 1}, {h(3), h(4)});
  auto out = run_node("Gemm", {a, b, make_tensor<Float16>({1}, {h(1)})}, {{"beta", float_attribute(2)}});
  EXPECT_EQ(static_cast<float>(values_of<Float16>(out[0])[0]), 13.0f);
}

TEST(Gemm, BadShapesThrow) {
  Tensor a = make_tensor<float>({2, 2}, {1, 2, 3, 4});
  EXPECT_THROW(run_node("Gemm", {a, make_tensor<float>({3, 1}, {1, 2, 3})}), Error);
  EXPECT_THROW(run_node("Gemm", {a, a, make_tensor<float>({3}, {1, 2, 3})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
