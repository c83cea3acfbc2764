#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Tensor table() { return make_tensor<float>({3, 2}, {0, 1, 10, 11, 20, 21}); }

TEST(Gather, EmbeddingLookupWithNegativeIndices) {
  auto out = run_node("Gather", {table(), make_tensor<int64_t>({2, 2}, {2, 0, -1, 1})});
  EXPECT_EQ(out[0].shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{20, 21, 0, 1, 20, 21, 10, 11}));
}

TEST(Gather, InnerAxisAndScalarIndex) {
  auto out = run_node("Gather", {table(), Tensor::scalar<int32_t>(1)}, {{"axis", int_attribute(1)}});
  EXPECT_EQ(out[0].shape(), (Shape{3}));
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 11, 21}));
}

TEST(Gather, RejectsOutOfRangeIndexAndFloatIndices) {
  EXPECT_THROW(run_node("Gather", {table(), make_tensor<int64_t>({1}, {3})}), Error);
  EXPECT_THROW(run_node("Gather", {table(), make_tensor<int64_t>({1}, {-4})}), Error);
  EXPECT_THROW(run_node("Gather", {table(), make_tensor<float>({1}, {0})}), Error);
}

TEST(GatherElements, PicksAlongAxis) {
  auto out = run_node("GatherElements", {table(), make_tensor<int64_t>({2, 2}, {2, 0, -3, 1})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{20, 1, 0, 11}));
  EXPECT_THROW(run_node("GatherElements", {table(), make_tensor<int64_t>({1, 2}, {3, 0})}), Error);
  EXPECT_THROW(run_node("GatherElements", {table(), make_tensor<int64_t>({2}, {0, 0})}), Error);
}

TEST(GatherND, TuplesAndBatchDims) {
  auto out = run_node("GatherND", {table(), make_tensor<int64_t>({2, 2}, {2, 1, 0, -1})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{21, 1}));
  out = run_node("GatherND", {table(), make_tensor<int64_t>({1, 1}, {1})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{10, 11}));
  // batch_dims = 1: row b picks its own column.
  out = run_node("GatherND", {table(), make_tensor<int64_t>({3, 1}, {1, 0, 1})}, {{"batch_dims", int_attribute(1)}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 10, 21}));
  EXPECT_THROW(run_node("GatherND", {table(), make_tensor<int64_t>({1, 3}, {0, 0, 0})}), Error);
  EXPECT_THROW(run_node("GatherND", {table(), make_tensor<int64_t>({1, 2}, {3, 0})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
