#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(ReduceSum, AxesInputKeepdims) {
  Tensor x = make_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto out = run_node("ReduceSum", {x, make_tensor<int64_t>({1}, {1})});
  EXPECT_EQ(out[0].describe(), "float32[2,1]");
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{6, 15}));
}

TEST(ReduceSum, LeadingAxisFoldsColumns) {
  Tensor x = make_tensor<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto out = run_node("ReduceSum", {x, make_tensor<int64_t>({1}, {0})}, {{"keepdims", int_attribute(0)}});
  EXPECT_EQ(values_of<int32_t>(out[0]), (std::vector<int32_t>{5, 7, 9}));
}

TEST(ReduceSum, EmptyAxesWithNoopIsIdentity) {
  Tensor x = make_tensor<float>({2}, {1, 2});
  auto out = run_node("ReduceSum", {x, make_tensor<int64_t>({0}, {})}, {{"noop_with_empty_axes", int_attribute(1)}});
  EXPECT_EQ(out[0].describe(), "float32[2]");
}

TEST(ReduceMean, SeparatedAxesAttribute) {
  // [2,2,2]: folding axes 0 and 2 leaves the middle axis.
  Tensor x = make_tensor<float>({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  auto out = run_node("ReduceMean", {x}, {{"axes", ints_attribute({0, 2})}, {"keepdims", int_attribute(0)}}, 1, 13);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{3.5f, 5.5f}));
}

TEST(ReduceMax, AllAxesLongRowPropagatesNaN) {
  std::vector<float> v(100);
  for (int i = 0; i < 100; ++i) v[i] = static_cast<float>(i % 37);
  auto out = run_node("ReduceMax", {make_tensor<float>({100}, v)}, {{"keepdims", int_attribute(0)}}, 1, 13);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{36}));
  v[77] = NAN;
  out = run_node("ReduceMax", {make_tensor<float>({100}, v)}, {}, 1, 13);
  EXPECT_TRUE(std::isnan(values_of<float>(out[0])[0]));
}

TEST(ReduceL2AndLogSumExp, FinishTheFold) {
  Tensor x = make_tensor<float>({2}, {3, 4});
  EXPECT_FLOAT_EQ(values_of<float>(run_node("ReduceL2", {x}, {}, 1, 13)[0])[0], 5.0f);
  auto lse = run_node("ReduceLogSumExp", {make_tensor<float>({2}, {1000, 1000})}, {}, 1, 13);
  EXPECT_NEAR(values_of<float>(lse[0])[0], 1000 + std::log(2.0f), 1e-3);
  EXPECT_EQ(values_of<int64_t>(run_node("ReduceProd", {make_tensor<int64_t>({3}, {2, 3, 4})}, {}, 1, 13)[0]),
            (std::vector<int64_t>{24}));
}

TEST(ReduceMaxMin, BoolIsAnyAndAll) {
  Tensor x = make_tensor<bool>({2, 2}, {true, false, false, false});
  auto any = run_node("ReduceMax", {x, make_tensor<int64_t>({1}, {1})}, {{"keepdims", int_attribute(0)}}, 1, 20);
  EXPECT_EQ(any[0].describe(), "bool[2]");
  EXPECT_EQ(values_of<bool>(any[0]), (std::vector<bool>{true, false}));
  auto all = run_node("ReduceMin", {x}, {{"keepdims", int_attribute(0)}}, 1, 20);
  EXPECT_EQ(values_of<bool>(all[0]), (std::vector<bool>{false}));
  EXPECT_THROW(run_node("ReduceSum", {x}, {}, 1, 13), Error);
}

TEST(Reduce, BadAxisThrows) {
  Tensor x = make_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_THROW(run_node("ReduceSum", {x, make_tensor<int64_t>({1}, {2})}), Error);
  EXPECT_THROW(run_node("ReduceMin", {x}, {{"axes", ints_attribute({1, -1})}}, 1, 13), Error);
}

}  // namespace
}  // namespace onnxgen::testing
