#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

std::vector<Tensor> scatter(int64_t index, const std::string& mode) {
  return run_node("TensorScatter",
                  {make_tensor<float>({1, 3, 1}, {1, 2, 3}), make_tensor<float>({1, 2, 1}, {8, 9}),
                   make_tensor<int64_t>({1}, {index})},
                  {{"mode", string_attribute(mode)}}, 1, 24);
}

TEST(TensorScatter, LinearWritesAtTheIndex) {
  EXPECT_EQ(values_of<float>(scatter(1, "linear")[0]), (std::vector<float>{1, 8, 9}));
}

TEST(TensorScatter, CircularWraps) { EXPECT_EQ(values_of<float>(scatter(2, "circular")[0]), (std::vector<float>{9, 2, 8})); }

TEST(TensorScatter, LinearOverrunIsAnError) { EXPECT_THROW(scatter(2, "linear"), Error); }

}  // namespace
}  // namespace onnxgen::testing
