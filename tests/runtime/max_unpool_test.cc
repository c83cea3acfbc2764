#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(MaxUnpool, ScattersToRecordedIndices) {
  auto out = run_node("MaxUnpool", {make_tensor<float>({1, 1, 1, 1}, {7}), make_tensor<int64_t>({1, 1, 1, 1}, {3})},
                      {{"kernel_shape", ints_attribute({2, 2})}, {"strides", ints_attribute({2, 2})}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{0, 0, 0, 7}));
}

TEST(MaxUnpool, OutputShapePlacesTheGridInALargerOutput) {
  auto out = run_node("MaxUnpool",
                      {make_tensor<float>({1, 1, 1, 1}, {7}), make_tensor<int64_t>({1, 1, 1, 1}, {3}),
                       make_tensor<int64_t>({4}, {1, 1, 3, 3})},
                      {{"kernel_shape", ints_attribute({2, 2})}, {"strides", ints_attribute({2, 2})}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{0, 0, 0, 0, 7, 0, 0, 0, 0}));
}

TEST(MaxUnpool, RejectsIndicesOutOfRange) {
  EXPECT_THROW(run_node("MaxUnpool", {make_tensor<float>({1, 1, 1, 1}, {7}), make_tensor<int64_t>({1, 1, 1, 1}, {4})},
                        {{"kernel_shape", ints_attribute({2, 2})}, {"strides", ints_attribute({2, 2})}}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
