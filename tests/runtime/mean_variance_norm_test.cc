#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(MeanVarianceNormalization, NormalisesOverGivenAxes) {
  Tensor x = make_tensor<float>({2, 2}, {1, 3, 10, 10});
  auto out = run_node("MeanVarianceNormalization", {x}, {{"axes", ints_attribute({1})}});
  auto v = values_of<float>(out[0]);
  EXPECT_NEAR(v[0], -1, 1e-6);
  EXPECT_NEAR(v[1], 1, 1e-6);
  EXPECT_NEAR(v[2], 0, 1e-6);  // zero variance: the epsilon keeps it finite
}

TEST(MeanVarianceNormalization, BadAxisThrows) {
  EXPECT_THROW(run_node("MeanVarianceNormalization", {make_tensor<float>({2}, {1, 2})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
