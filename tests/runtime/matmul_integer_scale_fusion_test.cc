// MatMulIntegerScaleFusion with the MatMulIntegerScaled kernel: a layer as quantize_dynamic writes
// it, Mul(Cast(MatMulInteger(DynamicQuantizeLinear(x), B, a_zp, b_zp)), Mul(a_scale, b_scale)),
// becomes one node with the same bits, for a scale per tensor and per column and for B packed
// (mapped) or not; an intermediate something else reads, or a scale not of that form, stays.
#include "runtime/graph/matmul_integer_scale_fusion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

constexpr int64_t kK = 40, kN = 24;

Model dynamic_layer(bool per_column, bool product_is_an_output, bool scale_from_dql = true) {
  auto g = std::make_shared<Graph>();
  g->inputs.push_back(value_info("x", DataType::kFloat));
  std::vector<int8_t> b(kK * kN);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<int8_t>((i * 37) % 255 - 127);
  g->initializers["b"] = make_tensor<int8_t>({kK, kN}, b);
  std::vector<int8_t> b_zp(per_column ? kN : 1);
  for (size_t i = 0; i < b_zp.size(); ++i) b_zp[i] = static_cast<int8_t>(static_cast<int>(i % 7) - 3);
  g->initializers["b_zp"] = make_tensor<int8_t>(per_column ? Shape{kN} : Shape{}, b_zp);
  std::vector<float> b_scale(per_column ? kN : 1);
  for (size_t i = 0; i < b_scale.size(); ++i) b_scale[i] = 0.01f + 0.003f * static_cast<float>(i);
  g->initializers["b_scale"] = make_tensor<float>(per_column ? Shape{kN} : Shape{}, b_scale);
  g->initializers["other_scale"] = make_tensor<float>({}, {0.5f});
  g->nodes.push_back(graph_node("DynamicQuantizeLinear", {"x"}, {"xq", "xs", "xzp"}));
  g->nodes.push_back(graph_node("Mul", {scale_from_dql ? "xs" : "other_scale", "b_scale"}, {"s"}));
  g->nodes.push_back(graph_node("MatMulInteger", {"xq", "b", "xzp", "b_zp"}, {"p"}));
  Node cast = graph_node("Cast", {"p"}, {"pf"});
  cast.attrs.set("to", int_attribute(1));
  g->nodes.push_back(cast);
  g->nodes.push_back(graph_node("Mul", {"pf", "s"}, {"y"}));
  g->outputs.push_back(value_info("y"));
  if (product_is_an_output) g->outputs.push_back(value_info("p"));
  Model m;
  m.graph = g;
  m.opsets = {{"", 17}};
  return m;
}

Tensor run(const Model& m) {
  std::vector<float> x(5 * kK);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<float>(i) * 0.37f) * 3.0f;
  ExecutionPlan plan(m.graph, m.opsets, {}, {});
  return plan.run(std::vector<Tensor>{make_tensor<float>({5, kK}, x)})[0];
}

TEST(MatMulIntegerScaleFusion, DynamicLayerBecomesOneNodeWithTheSameBits) {
  for (bool per_column : {false, true}) {
    const Model plain = dynamic_layer(per_column, false);
    Model fused = plain;
    fused.graph = std::make_shared<Graph>(*plain.graph);
    ASSERT_TRUE(MatMulIntegerScaleFusion().run(fused));
    ASSERT_EQ(fused.graph->nodes.size(), 3u);  // DynamicQuantizeLinear, the scale's Mul, the fused node
    const Node& n = fused.graph->nodes.back();
    EXPECT_EQ(n.op_type, "MatMulIntegerScaled");
    EXPECT_EQ(n.domain, "com.onnxgen");
    EXPECT_EQ(n.inputs, (std::vector<std::string>{"xq", "b", "xzp", "b_zp", "s"}));
    const Tensor want = run(plain), got = run(fused);
    ASSERT_EQ(got.shape(), want.shape());
    ASSERT_EQ(got.dtype(), DataType::kFloat);
    EXPECT_EQ(std::memcmp(got.raw(), want.raw(), want.bytes()), 0) << (per_column ? "per column" : "per tensor");
  }
}

TEST(MatMulIntegerScaleFusion, KeepsAProductSomethingElseReads) {
  Model m = dynamic_layer(false, true);
  EXPECT_FALSE(MatMulIntegerScaleFusion().run(m));
  EXPECT_EQ(m.graph->nodes.size(), 5u);
}

TEST(MatMulIntegerScaleFusion, KeepsAScaleNotFromTheActivationQuantisation) {
  Model m = dynamic_layer(false, false, false);
  EXPECT_FALSE(MatMulIntegerScaleFusion().run(m));
}

}  // namespace
}  // namespace onnxgen::testing
