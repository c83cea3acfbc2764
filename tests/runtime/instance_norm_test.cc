#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(InstanceNormalization, StandardisesEachPlane) {
  Tensor x = make_tensor<float>({1, 2, 2}, {1, 3, 5, 9});
  auto out = run_node("InstanceNormalization", {x, make_tensor<float>({2}, {2, 1}), make_tensor<float>({2}, {0, 7})},
                      {{"epsilon", float_attribute(0)}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{-2, 2, 6, 8}));
}

TEST(InstanceNormalization, BadShapesThrow) {
  EXPECT_THROW(run_node("InstanceNormalization", {make_tensor<float>({2}, {1, 2}), make_tensor<float>({1}, {1}),
                                                  make_tensor<float>({1}, {0})}),
               Error);
  EXPECT_THROW(run_node("InstanceNormalization", {make_tensor<float>({1, 2, 1}, {1, 2}), make_tensor<float>({1}, {1}),
                                                  make_tensor<float>({1}, {0})}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
