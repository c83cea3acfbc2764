#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(LRN, DividesByWindowOfSquares) {
  Tensor x = make_tensor<float>({1, 3, 1}, {1, 2, 3});
  auto out = run_node("LRN", {x}, {{"size", int_attribute(2)}, {"alpha", float_attribute(2)}, {"beta", float_attribute(1)}, {"bias", float_attribute(1)}});
  // size 2 covers channels c and c+1: sums 1+4, 4+9, 9.
  auto v = values_of<float>(out[0]);
  EXPECT_NEAR(v[0], 1 / (1 + 1 * 5.0f), 1e-6);
  EXPECT_NEAR(v[1], 2 / (1 + 1 * 13.0f), 1e-6);
  EXPECT_NEAR(v[2], 3 / (1 + 1 * 9.0f), 1e-6);
}

TEST(LRN, BadSizeOrRankThrows) {
  EXPECT_THROW(run_node("LRN", {make_tensor<float>({1, 1}, {1})}, {{"size", int_attribute(0)}}), Error);
  EXPECT_THROW(run_node("LRN", {make_tensor<float>({1}, {1})}, {{"size", int_attribute(1)}}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
