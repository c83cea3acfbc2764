#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

const std::vector<float> k4x4 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

TEST(MaxPool, ReturnsMaximaAndFlatIndices) {
  auto out = run_node("MaxPool", {make_tensor<float>({1, 1, 4, 4}, k4x4)},
                      {{"kernel_shape", ints_attribute({2, 2})}, {"strides", ints_attribute({2, 2})}}, 2);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{6, 8, 14, 16}));
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{5, 7, 13, 15}));
}

TEST(MaxPool, ColumnMajorIndicesWithStorageOrder) {
  auto out = run_node("MaxPool", {make_tensor<float>({1, 1, 2, 2}, {1, 2, 3, 4})},
                      {{"kernel_shape", ints_attribute({2, 2})}, {"storage_order", int_attribute(1)}}, 2);
  // The maximum sits at row 1, column 1 -> 1 + 1 * 2 either way; use (0, 1) to tell them apart.
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{3}));
  auto col = run_node("MaxPool", {make_tensor<float>({1, 1, 2, 2}, {1, 9, 3, 4})},
                      {{"kernel_shape", ints_attribute({2, 2})}, {"storage_order", int_attribute(1)}}, 2);
  EXPECT_EQ(values_of<int64_t>(col[1]), (std::vector<int64_t>{2}));
}

TEST(AveragePool, CountIncludePadChangesTheDivisor) {
  std::map<std::string, Attribute> attrs{{"kernel_shape", ints_attribute({2})}, {"pads", ints_attribute({1, 0})}};
  auto excl = run_node("AveragePool", {make_tensor<float>({1, 1, 2}, {2, 4})}, attrs);
  EXPECT_EQ(values_of<float>(excl[0]), (std::vector<float>{2, 3}));
  attrs["count_include_pad"] = int_attribute(1);
  auto incl = run_node("AveragePool", {make_tensor<float>({1, 1, 2}, {2, 4})}, attrs);
  EXPECT_EQ(values_of<float>(incl[0]), (std::vector<float>{1, 3}));
}

TEST(AveragePool, CeilModeAddsAPartialWindow) {
  auto out = run_node("AveragePool", {make_tensor<float>({1, 1, 3}, {1, 2, 3})},
                      {{"kernel_shape", ints_attribute({2})}, {"strides", ints_attribute({2})}, {"ceil_mode", int_attribute(1)}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1.5f, 3}));
}

TEST(LpPool, TakesTheNormOfEachWindow) {
  auto out = run_node("LpPool", {make_tensor<float>({1, 1, 2}, {3, 4})}, {{"kernel_shape", ints_attribute({2})}, {"p", int_attribute(2)}});
  EXPECT_FLOAT_EQ(values_of<float>(out[0])[0], 5);
}

TEST(GlobalPools, ReduceEachPlane) {
  Tensor x = make_tensor<float>({1, 2, 2}, {1, 3, -1, -5});
  EXPECT_EQ(values_of<float>(run_node("GlobalAveragePool", {x})[0]), (std::vector<float>{2, -3}));
  EXPECT_EQ(values_of<float>(run_node("GlobalMaxPool", {x})[0]), (std::vector<float>{3, -1}));
  EXPECT_EQ(run_node("GlobalLpPool", {x})[0].describe(), "float32[1,2,1]");
}

TEST(MaxPool, RejectsMissingKernelShape) {
  EXPECT_THROW(run_node("MaxPool", {make_tensor<float>({1, 1, 4, 4}, k4x4)}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
