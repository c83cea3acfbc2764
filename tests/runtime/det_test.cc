#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(Det, BatchOfMatricesNeedingPivots) {
  // [[0,1],[1,0]] needs a row swap (det -1); [[2,0],[0,3]] has det 6.
  Tensor x = make_tensor<float>({2, 2, 2}, {0, 1, 1, 0, 2, 0, 0, 3});
  auto out = run_node("Det", {x}, {}, 1, 11);
  EXPECT_EQ(out[0].describe(), "float32[2]");
  auto v = values_of<float>(out[0]);
  EXPECT_FLOAT_EQ(v[0], -1);
  EXPECT_FLOAT_EQ(v[1], 6);
}

TEST(Det, SingularIsZeroAndNonSquareThrows) {
  EXPECT_EQ(values_of<double>(run_node("Det", {make_tensor<double>({2, 2}, {1, 2, 2, 4})}, {}, 1, 11)[0]), (std::vector<double>{0}));
  EXPECT_THROW(run_node("Det", {make_tensor<float>({1, 2}, {1, 2})}, {}, 1, 11), Error);
}

}  // namespace
}  // namespace onnxgen::testing
