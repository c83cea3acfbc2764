#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(RNN, AppliesTanhToTheProjection) {
  auto out = run_node("RNN",
                      {make_tensor<float>({1, 1, 1}, {0.5f}), make_tensor<float>({1, 1, 1}, {2}),
                       make_tensor<float>({1, 1, 1}, {0})},
                      {{"hidden_size", int_attribute(1)}}, 2);
  EXPECT_EQ(out[0].describe(), "float32[1,1,1,1]");
  EXPECT_FLOAT_EQ(values_of<float>(out[0])[0], std::tanh(1.0f));
  EXPECT_FLOAT_EQ(values_of<float>(out[1])[0], std::tanh(1.0f));
}

TEST(LSTM, ZeroWeightsHalveTheInitialCell) {
  // Every gate is sigmoid(0) = 0.5 and the candidate tanh(0) = 0, so c = 0.5 * c0.
  auto out = run_node("LSTM",
                      {make_tensor<float>({1, 1, 1}, {3}), make_tensor<float>({1, 4, 1}, {0, 0, 0, 0}),
                       make_tensor<float>({1, 4, 1}, {0, 0, 0, 0}), Tensor(), Tensor(), Tensor(),
                       make_tensor<float>({1, 1, 1}, {2})},
                      {{"hidden_size", int_attribute(1)}}, 3);
  EXPECT_FLOAT_EQ(values_of<float>(out[2])[0], 1.0f);
  EXPECT_FLOAT_EQ(values_of<float>(out[1])[0], 0.5f * std::tanh(1.0f));
}

TEST(GRU, SequenceLensStopsShortBatchesAndReverseStartsAtTheirEnd) {
  // Zero weights: z = 0.5 and candidate 0, so each step halves h; batch 1 runs one step.
  auto out = run_node("GRU",
                      {make_tensor<float>({2, 2, 1}, {0, 0, 0, 0}), make_tensor<float>({1, 3, 1}, {0, 0, 0}),
                       make_tensor<float>({1, 3, 1}, {0, 0, 0}), Tensor(), make_tensor<int32_t>({2}, {2, 1}),
                       make_tensor<float>({1, 2, 1}, {4, 4})},
                      {{"hidden_size", int_attribute(1)}, {"direction", string_attribute("reverse")}}, 2);
  // Y[t, 0, b]: batch 0 visits t=1 then t=0; batch 1 only t=0 and leaves t=1 zero.
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 2, 2, 0}));
  EXPECT_EQ(values_of<float>(out[1]), (std::vector<float>{1, 2}));
}

TEST(RNN, ANewRecurrenceWeightIsReadOnTheNextRun) {
  // The kernel keeps R transposed between runs; a different R fed to the same plan, or the same
  // buffer rewritten, must not reuse it. h1 = tanh(x W) = tanh(1), h2 = tanh(x W + h1 R).
  const std::vector<Tensor> first{make_tensor<float>({2, 1, 1}, {1, 1}), make_tensor<float>({1, 1, 1}, {1}),
                                  make_tensor<float>({1, 1, 1}, {0})};
  PlanOptions options;
  options.fold_constants = false;
  ExecutionPlan plan(single_node_graph("RNN", first, {{"hidden_size", int_attribute(1)}}, 1), single_node_opsets(17, ""),
                     {}, options);
  const float h1 = std::tanh(1.0f);
  EXPECT_FLOAT_EQ(values_of<float>(plan.run(first)[0])[1], h1);
  std::vector<Tensor> second = first;
  second[2] = make_tensor<float>({1, 1, 1}, {2});
  EXPECT_FLOAT_EQ(values_of<float>(plan.run(second)[0])[1], std::tanh(1.0f + 2 * h1));
  *second[2].data<float>() = 3;
  EXPECT_FLOAT_EQ(values_of<float>(plan.run(second)[0])[1], std::tanh(1.0f + 3 * h1));
}

TEST(RNN, RejectsWeightsOfTheWrongShape) {
  EXPECT_THROW(run_node("RNN",
                        {make_tensor<float>({1, 1, 2}, {1, 2}), make_tensor<float>({1, 1, 1}, {1}),
                         make_tensor<float>({1, 1, 1}, {0})},
                        {{"hidden_size", int_attribute(1)}}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
