#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(MatMulInteger, SubtractsPerRowAndScalarZeroPoints) {
  Tensor a = make_tensor<uint8_t>({2, 2}, {11, 12, 23, 24});
  Tensor b = make_tensor<int8_t>({2, 1}, {-1, 3});
  auto out = run_node("MatMulInteger", {a, b, make_tensor<uint8_t>({2}, {10, 20}), make_tensor<int8_t>({}, {1})});
  // A - zp = [[1,2],[3,4]], B - zp = [[-2],[2]]
  EXPECT_EQ(out[0].describe(), "int32[2,1]");
  EXPECT_EQ(values_of<int32_t>(out[0]), (std::vector<int32_t>{2, 2}));
}

TEST(QLinearMatMul, RequantisesToOutputScale) {
  Tensor a = make_tensor<uint8_t>({1, 2}, {2, 4});
  Tensor b = make_tensor<uint8_t>({2, 1}, {3, 5});
  Tensor one = make_tensor<float>({}, {1});
  Tensor zero = make_tensor<uint8_t>({}, {0});
  auto out = run_node("QLinearMatMul", {a, make_tensor<float>({}, {0.5f}), zero, b, one, zero, make_tensor<float>({}, {2}),
                                        make_tensor<uint8_t>({}, {1})});
  // (2*3 + 4*5) * 0.5 / 2 = 6.5 -> rounds to even 6, plus zero point 1
  EXPECT_EQ(values_of<uint8_t>(out[0]), (std::vector<uint8_t>{7}));
}

TEST(MatMulInteger, BadTypesOrZeroPointsThrow) {
  Tensor a = make_tensor<uint8_t>({1, 2}, {1, 2});
  EXPECT_THROW(run_node("MatMulInteger", {a, make_tensor<int32_t>({2, 1}, {1, 2})}), Error);
  EXPECT_THROW(run_node("MatMulInteger", {a, make_tensor<uint8_t>({2, 1}, {1, 2}), make_tensor<uint8_t>({3}, {1, 2, 3})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
