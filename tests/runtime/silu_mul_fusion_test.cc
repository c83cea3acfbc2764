// SiluMulFusion with the SiluMul kernel: Mul(Mul(x, Sigmoid(x)), u) in either operand order
// becomes one node with the same bits (float32 and float16, u broadcast); an intermediate that
// something else reads keeps the ops as they are.
#include "runtime/graph/silu_mul_fusion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "runtime/core/half.h"
#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Model gated_mlp(DataType dtype, bool silu_is_an_output) {
  auto g = std::make_shared<Graph>();
  for (const char* name : {"x", "u"}) g->inputs.push_back(value_info(name, dtype));
  g->nodes.push_back(graph_node("Sigmoid", {"x"}, {"s"}));
  g->nodes.push_back(graph_node("Mul", {"s", "x"}, {"silu"}));  // Sigmoid(x) first: either order matches
  g->nodes.push_back(graph_node("Mul", {"u", "silu"}, {"y"}));
  for (const char* name : {"y", "silu"}) {
    if (std::string(name) == "silu" && !silu_is_an_output) break;
    g->outputs.push_back(value_info(name));
  }
  Model m;
  m.graph = g;
  m.opsets = {{"", 17}};
  return m;
}

std::vector<Tensor> run(const Model& m, DataType dtype) {
  std::vector<float> x(24), u(8);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<float>(i) * 1.7f) * 6.0f;
  for (size_t i = 0; i < u.size(); ++i) u[i] = std::cos(static_cast<float>(i)) * 2.0f;
  Tensor xt = make_tensor<float>({3, 8}, x), ut = make_tensor<float>({8}, u);  // u broadcast over rows
  if (dtype == DataType::kFloat16) {
    xt = make_tensor<Float16>({3, 8}, std::vector<Float16>(x.begin(), x.end()));
    ut = make_tensor<Float16>({8}, std::vector<Float16>(u.begin(), u.end()));
  }
  ExecutionPlan plan(m.graph, m.opsets, {}, {});
  return plan.run(std::vector<Tensor>{xt, ut});
}

TEST(SiluMulFusion, GatedMlpBecomesOneNodeWithTheSameBits) {
  for (DataType dtype : {DataType::kFloat, DataType::kFloat16}) {
    const Model plain = gated_mlp(dtype, false);
    Model fused = plain;
    fused.graph = std::make_shared<Graph>(*plain.graph);
    ASSERT_TRUE(SiluMulFusion().run(fused));
    ASSERT_EQ(fused.graph->nodes.size(), 1u);
    const Node& n = fused.graph->nodes[0];
    EXPECT_EQ(n.op_type, "SiluMul");
    EXPECT_EQ(n.domain, "com.onnxgen");
    EXPECT_EQ(n.inputs, (std::vector<std::string>{"x", "u"}));
    EXPECT_EQ(n.outputs[0], "y");
    const Tensor want = run(plain, dtype)[0], got = run(fused, dtype)[0];
    ASSERT_EQ(got.shape(), want.shape());
    ASSERT_EQ(got.dtype(), dtype);
    EXPECT_EQ(std::memcmp(got.raw(), want.raw(), want.bytes()), 0) << to_string(dtype);
  }
}

TEST(SiluMulFusion, KeepsAnIntermediateSomethingElseReads) {
  Model m = gated_mlp(DataType::kFloat, true);
  EXPECT_FALSE(SiluMulFusion().run(m));
  EXPECT_EQ(m.graph->nodes.size(), 3u);
}

}  // namespace
}  // namespace onnxgen::testing
