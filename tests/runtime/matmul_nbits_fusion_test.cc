// MatMulNBitsFusion with the FusedMatMulNBits kernel: siblings over one input become one node
// whose outputs are the same bits as the separate MatMulNBits; nodes the kernel cannot take
// (another accuracy level, weights that are not initializers, a second N off the 8-row groups)
// stay as they are.
#include "runtime/graph/matmul_nbits_fusion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "runtime/ops/cpu/q4_int8_gemm.h"
#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

constexpr int64_t kK = 64, kBlock = 32;

// x [3, 64] -> MatMulNBits per entry of `ns` (accuracy_level 4 unless `level0` names the index),
// each output a graph output. Weight j of node i is an initializer unless `b_input` is i.
Model siblings(const std::vector<int64_t>& ns, int level0 = -1, int b_input = -1) {
  auto g = std::make_shared<Graph>();
  g->inputs.push_back(value_info("x", DataType::kFloat));
  std::mt19937 rng(5);
  for (size_t i = 0; i < ns.size(); ++i) {
    const int64_t n = ns[i];
    const std::string id = std::to_string(i);
    std::vector<uint8_t> codes(static_cast<size_t>(n * kK / 2));
    for (auto& c : codes) c = static_cast<uint8_t>(rng());
    std::vector<float> scales(static_cast<size_t>(n * kK / kBlock));
    for (auto& s : scales) s = std::uniform_real_distribution<float>(0.01f, 0.1f)(rng);
    Tensor b = make_tensor<uint8_t>({n, kK / kBlock, kBlock / 2}, codes);
    if (static_cast<int>(i) == b_input) g->inputs.push_back(value_info("b" + id, DataType::kUInt8));
    g->initializers["b" + id] = b;
    g->initializers["s" + id] = make_tensor<float>({n * kK / kBlock}, scales);
    Node node;
    node.op_type = "MatMulNBits";
    node.domain = "com.microsoft";
    node.name = "mm" + id;
    node.inputs = {"x", "b" + id, "s" + id};
    node.outputs = {"y" + id};
    node.attrs.set("K", int_attribute(kK));
    node.attrs.set("N", int_attribute(n));
    node.attrs.set("bits", int_attribute(4));
    node.attrs.set("block_size", int_attribute(kBlock));
    node.attrs.set("accuracy_level", int_attribute(static_cast<int>(i) == level0 ? 0 : 4));
    g->nodes.push_back(node);
    g->outputs.push_back(value_info("y" + id));
  }
  Model m;
  m.graph = g;
  m.opsets = {{"", 17}, {"com.microsoft", 1}};
  return m;
}

std::vector<Tensor> run(const Model& m) {
  std::vector<float> x(3 * kK);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<float>(i) * 0.37f);
  ExecutionPlan plan(m.graph, m.opsets, {}, {});
  return plan.run(std::vector<Tensor>{make_tensor<float>({3, kK}, x)});
}

class MatMulNBitsFusionTest : public ::testing::Test {
  void SetUp() override {
    if (!q4_int8_supported()) GTEST_SKIP() << "this CPU lacks AVX2/FMA/BMI2: the fused kernel does not run here";
  }
};

TEST_F(MatMulNBitsFusionTest, SiblingsBecomeOneNodeWithTheSameBits) {
  // 16 and 32 rows fuse; 12 (off the 16-row groups) goes last; 20, a second such, and the
  // accuracy-level-0 node stay apart.
  const Model plain = siblings({12, 16, 20, 32, 24}, /*level0=*/4);
  Model fused = plain;
  fused.graph = std::make_shared<Graph>(*plain.graph);
  ASSERT_TRUE(MatMulNBitsFusion().run(fused));
  ASSERT_EQ(fused.graph->nodes.size(), 3u);
  const Node& f = fused.graph->nodes[0];
  EXPECT_EQ(f.op_type, "FusedMatMulNBits");
  EXPECT_EQ(f.inputs, (std::vector<std::string>{"x", "b1", "s1", "b3", "s3", "b0", "s0"}));
  EXPECT_EQ(f.outputs, (std::vector<std::string>{"y1", "y3", "y0"}));
  EXPECT_EQ(fused.graph->nodes[1].name, "mm2");
  EXPECT_EQ(fused.graph->nodes[2].name, "mm4");
  const std::vector<Tensor> want = run(plain), got = run(fused);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].shape(), want[i].shape()) << "output " << i;
    EXPECT_EQ(values_of<float>(got[i]), values_of<float>(want[i])) << "output " << i;
  }
}

TEST_F(MatMulNBitsFusionTest, LeavesWeightsThatAreNotInitializers) {
  Model m = siblings({16, 16}, -1, /*b_input=*/1);
  m.graph->initializers.erase("b1");
  EXPECT_FALSE(MatMulNBitsFusion().run(m));
  EXPECT_EQ(m.graph->nodes.size(), 2u);
}

}  // namespace
}  // namespace onnxgen::testing
