#include <gtest/gtest.h>

#include <thread>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(MatMul, TwoByTwo) {
  auto out = run_node("MatMul", {make_tensor<float>({2, 2}, {1, 2, 3, 4}), make_tensor<float>({2, 2}, {5, 6, 7, 8})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{19, 22, 43, 50}));
}

TEST(MatMul, VectorOperandsDropTheirAxis) {
  Tensor v = make_tensor<float>({2}, {1, 2});
  Tensor m = make_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto out = run_node("MatMul", {v, m});
  EXPECT_EQ(out[0].describe(), "float32[3]");
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{9, 12, 15}));
  EXPECT_EQ(run_node("MatMul", {v, v})[0].describe(), "float32[]");
}

TEST(MatMul, BatchBroadcastBothWays) {
  // A [2,1,1,2] x B [1,2,2,1] -> [2,2,1,1]
  Tensor a = make_tensor<float>({2, 1, 1, 2}, {1, 1, 2, 2});
  Tensor b = make_tensor<float>({1, 2, 2, 1}, {1, 2, 3, 4});
  auto out = run_node("MatMul", {a, b});
  EXPECT_EQ(out[0].describe(), "float32[2,2,1,1]");
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{3, 7, 6, 14}));
}

TEST(MatMul, IntegerAndHalfTypes) {
  auto out = run_node("MatMul", {make_tensor<int64_t>({1, 2}, {3, 4}), make_tensor<int64_t>({2, 1}, {5, 6})});
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{39}));
  auto h = run_node("MatMul", {make_tensor<Float16>({1, 2}, {Float16(0.5f), Float16(2)}),
                               make_tensor<Float16>({2, 1}, {Float16(4), Float16(1)})});
  EXPECT_EQ(static_cast<float>(values_of<Float16>(h[0])[0]), 4.0f);
}

TEST(MatMul, SameShapeFromSeveralThreads) {
  // The oneDNN primitive for a shape is cached and shared, so threads run the same primitive.
  const int64_t m = 32, k = 512, n = 16;
  Tensor a = make_tensor<float>({m, k}, std::vector<float>(m * k, 1.0f));
  Tensor b = make_tensor<float>({k, n}, std::vector<float>(k * n, 0.5f));
  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < 10; ++r)
        for (float v : values_of<float>(run_node("MatMul", {a, b})[0])) bad[t] += v != 256.0f;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad, (std::vector<int>{0, 0, 0, 0}));
}

TEST(MatMul, MismatchedInnerDimensionThrows) {
  EXPECT_THROW(run_node("MatMul", {make_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}), make_tensor<float>({2, 1}, {1, 2})}),
               Error);
  EXPECT_THROW(run_node("MatMul", {make_tensor<float>({2, 1, 2}, {1, 2, 3, 4}), make_tensor<float>({3, 2, 1}, {1, 2, 3, 4, 5, 6})}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
