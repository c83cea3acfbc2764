#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Attribute eq(const char* e) { return string_attribute(e); }

TEST(Einsum, MatrixProductAndTranspose) {
  Tensor a = make_tensor<float>({2, 2}, {1, 2, 3, 4});
  Tensor b = make_tensor<float>({2, 2}, {5, 6, 7, 8});
  EXPECT_EQ(values_of<float>(run_node("Einsum", {a, b}, {{"equation", eq("ij,jk->ik")}})[0]),
            (std::vector<float>{19, 22, 43, 50}));
  EXPECT_EQ(values_of<float>(run_node("Einsum", {a}, {{"equation", eq("ij->ji")}})[0]), (std::vector<float>{1, 3, 2, 4}));
}

TEST(Einsum, DiagonalTraceAndImplicitOutput) {
  Tensor a = make_tensor<int64_t>({2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(values_of<int64_t>(run_node("Einsum", {a}, {{"equation", eq("ii->i")}})[0]), (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(values_of<int64_t>(run_node("Einsum", {a}, {{"equation", eq("ii")}})[0]), (std::vector<int64_t>{5}));
  // Implicit output of "ba" is "ab": a transpose.
  EXPECT_EQ(values_of<int64_t>(run_node("Einsum", {a}, {{"equation", eq("ba")}})[0]), (std::vector<int64_t>{1, 3, 2, 4}));
}

TEST(Einsum, EllipsisBatchBroadcastsAndThreeOperands) {
  Tensor a = make_tensor<float>({2, 1, 2}, {1, 2, 3, 4});
  Tensor b = make_tensor<float>({2, 1}, {1, 1});
  auto out = run_node("Einsum", {a, b}, {{"equation", eq("...ij,jk->...ik")}});
  EXPECT_EQ(out[0].describe(), "float32[2,1,1]");
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{3, 7}));
  Tensor v = make_tensor<float>({2}, {1, 2});
  EXPECT_EQ(values_of<float>(run_node("Einsum", {v, v, v}, {{"equation", eq("i,i,i->")}})[0]), (std::vector<float>{9}));
}

TEST(Einsum, MismatchedOperandsThrow) {
  Tensor a = make_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_THROW(run_node("Einsum", {a, a}, {{"equation", eq("ij,jk->ik")}}), Error);
  EXPECT_THROW(run_node("Einsum", {a}, {{"equation", eq("ijk->i")}}), Error);
  EXPECT_THROW(run_node("Einsum", {a}, {{"equation", eq("ij->iz")}}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
