#include "runtime/graph/conv_fusion.h"

#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

// x [1, 2, 3, 3] -> Conv (3x3, pad 1, 2 -> 2 channels) -> BatchNormalization -> Relu, with
// weights chosen so some outputs go negative.
Model conv_bn_relu(bool relu_is_also_an_output) {
  auto g = std::make_shared<Graph>();
  g->inputs.push_back(value_info("x", DataType::kFloat));
  std::vector<float> w(2 * 2 * 9);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(static_cast<int>(i % 7) - 3) * 0.25f;
  g->initializers["w"] = make_tensor<float>({2, 2, 3, 3}, w);
  g->initializers["b"] = make_tensor<float>({2}, {0.5f, -1.0f});
  g->initializers["gamma"] = make_tensor<float>({2}, {2.0f, 0.5f});
  g->initializers["beta"] = make_tensor<float>({2}, {-0.25f, 1.0f});
  g->initializers["mean"] = make_tensor<float>({2}, {0.1f, -0.3f});
  g->initializers["var"] = make_tensor<float>({2}, {4.0f, 0.25f});
  Node conv = graph_node("Conv", {"x", "w", "b"}, {"c"});
  conv.attrs.set("pads", ints_attribute({1, 1, 1, 1}));
  g->nodes.push_back(conv);
  g->nodes.push_back(graph_node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"n"}));
  g->nodes.push_back(graph_node("Relu", {"n"}, {"y"}));
  for (const char* name : {"y", "n"}) {
    if (std::string(name) == "n" && !relu_is_also_an_output) break;
    g->outputs.push_back(value_info(name));
  }
  Model m;
  m.graph = g;
  m.opsets = {{"", 15}};
  return m;
}

std::vector<Tensor> run(const Model& m, const Tensor& x) {
  ExecutionPlan plan(m.graph, m.opsets, {}, {});
  return plan.run(std::vector<Tensor>{x});
}

Tensor input() {
  std::vector<float> v(18);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i) * 0.3f - 2.5f;
  return make_tensor<float>({1, 2, 3, 3}, v);
}

TEST(ConvFusion, FoldsBatchNormAndReluIntoOneConvWithTheSameResult) {
  const Model plain = conv_bn_relu(false);
  Model fused = conv_bn_relu(false);
  fused.graph = std::make_shared<Graph>(*plain.graph);
  ASSERT_TRUE(ConvFusion().run(fused));
  ASSERT_EQ(fused.graph->nodes.size(), 1u);
  EXPECT_EQ(fused.graph->nodes[0].op_type, "FusedConv");
  EXPECT_EQ(fused.graph->nodes[0].outputs[0], "y");
  EXPECT_EQ(fused.graph->initializers.count("w"), 0u);  // replaced by the folded weights
  const std::vector<float> want = values_of<float>(run(plain, input())[0]);
  const std::vector<float> got = values_of<float>(run(fused, input())[0]);
  ASSERT_EQ(got.size(), want.size());
  bool some_clamped = false;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(got[i], want[i], 1e-5f) << i;
    some_clamped |= want[i] == 0;
  }
  EXPECT_TRUE(some_clamped);
}

TEST(ConvFusion, KeepsAnIntermediateSomethingElseReads) {
  Model m = conv_bn_relu(true);
  ASSERT_TRUE(ConvFusion().run(m));  // the BatchNormalization still folds; "n" is then read twice
  ASSERT_EQ(m.graph->nodes.size(), 2u);
  EXPECT_EQ(m.graph->nodes[0].op_type, "Conv");
  EXPECT_EQ(m.graph->nodes[1].op_type, "Relu");
}

}  // namespace
}  // namespace onnxgen::testing
