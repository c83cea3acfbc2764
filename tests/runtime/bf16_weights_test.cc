// Bf16WeightsPass with the MatMulBf16Weights kernel: MatMuls over float32 initializers become
// products of A and the weights both rounded to bfloat16, summed in float32 (a decode step's few
// rows on gemv_bf16, a prompt's on oneDNN), and MatMuls over activations or over initializers a
// caller may override keep float32; Gemms over fixed weights read them as the MatMuls do. A
// Gather of a cast weight's columns (a tied embedding) reads the same bfloat16 copy; one of
// another table stays as it is.
#include "runtime/graph/bf16_weights.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "runtime/core/half.h"
#include "runtime/ops/cpu/batched_gemm.h"
#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

constexpr int64_t kK = 72, kN = 42;  // K and N leave tails past whole vectors and tiles

Node columns(std::string table, std::string y) {
  Node n = graph_node("Gather", {std::move(table), "ids"}, {std::move(y)});
  n.attrs.set("axis", int_attribute(1));
  return n;
}

std::vector<float> weights() {
  std::vector<float> w(kK * kN);
  for (size_t i = 0; i < w.size(); ++i) w[i] = std::sin(static_cast<float>(i) * 0.37f) * 0.8f + 1e-3f;
  return w;
}

// y = x @ W (W an initializer), z = x @ v (v fed), u = x @ O (O an initializer that is also an
// input); e = W's columns picked by ids (a tied embedding), f = the columns of E (read by no MatMul).
Model model() {
  auto g = std::make_shared<Graph>();
  for (const char* name : {"x", "v", "O"}) g->inputs.push_back(value_info(name, DataType::kFloat));
  g->inputs.push_back(value_info("ids", DataType::kInt64));
  g->initializers["W"] = make_tensor<float>({kK, kN}, weights());
  g->initializers["O"] = make_tensor<float>({kK, kN}, weights());
  g->initializers["E"] = make_tensor<float>({kK, kN}, weights());
  g->nodes = {graph_node("MatMul", {"x", "W"}, {"y"}), graph_node("MatMul", {"x", "v"}, {"z"}),
              graph_node("MatMul", {"x", "O"}, {"u"}), columns("W", "e"), columns("E", "f")};
  for (const char* name : {"y", "z", "u", "e", "f"}) g->outputs.push_back(value_info(name, DataType::kFloat));
  Model m;
  m.graph = g;
  m.opsets = {{"", 17}};
  return m;
}

float round_bf16(float f) { return static_cast<float>(BFloat16(f)); }

TEST(Bf16Weights, RewritesOnlyMatMulsOverFixedFloatWeights) {
  Model m = model();
  ASSERT_TRUE(Bf16WeightsPass().run(m));
  const auto& nodes = m.graph->nodes;
  EXPECT_EQ(nodes[0].op_type, "MatMulBf16Weights");
  EXPECT_EQ(nodes[0].domain, "com.onnxgen");
  EXPECT_EQ(nodes[1].op_type, "MatMul");  // B is an activation
  EXPECT_EQ(nodes[2].op_type, "MatMul");  // B may be overridden by the caller
  EXPECT_EQ(nodes[3].op_type, "GatherColumnsBf16");
  EXPECT_EQ(nodes[3].domain, "com.onnxgen");
  EXPECT_EQ(nodes[4].op_type, "Gather");  // E is cast for no MatMul
  EXPECT_EQ(m.opset("com.onnxgen"), 1);
  EXPECT_FALSE(Bf16WeightsPass().run(m));
}

// Rows of 1 (a vector A), 6 (batch dims [2, 3]; a tile of four and one of two) and 16 take
// gemv_bf16; 40 take oneDNN's GEMM.
TEST(Bf16Weights, ProductsOfTheRoundedOperands) {
  if (!bf16_weights_supported()) GTEST_SKIP() << "this CPU has no AVX512_BF16";
  Model m = model();
  ASSERT_TRUE(Bf16WeightsPass().run(m));
  ExecutionPlan plan(m.graph, m.opsets, {}, {});
  const std::vector<float> w = weights();
  for (const Shape& shape : {Shape{kK}, Shape{2, 3, kK}, Shape{16, kK}, Shape{40, kK}}) {
    const int64_t rows = num_elements(shape) / kK;
    std::vector<float> x(static_cast<size_t>(rows * kK));
    for (size_t i = 0; i < x.size(); ++i) x[i] = std::cos(static_cast<float>(i) * 0.11f) * 3.0f;
    const Tensor xt = make_tensor<float>(shape, x);
    const Tensor v = make_tensor<float>({kK, kN}, w);
    const std::vector<Tensor> out = plan.run(std::vector<Tensor>{xt, v, make_tensor<int64_t>({3}, {5, -1, 0})});
    const Tensor& y = out[0];
    Shape want_shape = shape;
    want_shape.back() = kN;
    ASSERT_EQ(y.shape(), want_shape);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < kN; ++j) {
        double want = 0, scale = 0;
        for (int64_t kk = 0; kk < kK; ++kk) {
          const float a = x[static_cast<size_t>(r * kK + kk)];
          const double term = static_cast<double>(round_bf16(a)) * round_bf16(w[static_cast<size_t>(kk * kN + j)]);
          want += term;
          scale += std::abs(term);
        }
        ASSERT_NEAR(y.data<float>()[r * kN + j], want, 1e-6 * scale + 1e-6) << to_string(shape) << " row " << r << " col " << j;
      }
    // The float32 MatMuls beside it: the same weights unrounded give a different answer.
    const float* z = out[1].data<float>();
    double differs = 0;
    for (int64_t i = 0; i < rows * kN; ++i) differs += std::abs(z[i] - y.data<float>()[i]);
    EXPECT_GT(differs, 0) << to_string(shape);
    // The embedding's columns, rounded as the projection reads them; E's as stored.
    ASSERT_EQ(out[3].shape(), (Shape{kK, 3}));
    for (int64_t kk = 0; kk < kK; ++kk)
      for (int64_t i = 0; i < 3; ++i) {
        const int64_t column = std::array<int64_t, 3>{5, kN - 1, 0}[static_cast<size_t>(i)];
        const float stored = w[static_cast<size_t>(kk * kN + column)];
        EXPECT_EQ(out[3].data<float>()[kk * 3 + i], round_bf16(stored));
        EXPECT_EQ(out[4].data<float>()[kk * 3 + i], stored);
      }
  }
}

// y = Gemm(x, W, bias), t = Gemm(x, T) with T [N, K] and transB=1, s = Gemm(x, W, bias, beta=0.5).
Model gemm_model() {
  auto g = std::make_shared<Graph>();
  g->inputs.push_back(value_info("x", DataType::kFloat));
  const std::vector<float> w = weights();
  std::vector<float> t(w.size()), bias(kN);
  for (int64_t kk = 0; kk < kK; ++kk)
    for (int64_t j = 0; j < kN; ++j) t[static_cast<size_t>(j * kK + kk)] = w[static_cast<size_t>(kk * kN + j)];
  for (int64_t j = 0; j < kN; ++j) bias[static_cast<size_t>(j)] = 0.25f * static_cast<float>(j);
  g->initializers["W"] = make_tensor<float>({kK, kN}, w);
  g->initializers["T"] = make_tensor<float>({kN, kK}, t);
  g->initializers["bias"] = make_tensor<float>({kN}, bias);
  Node y = graph_node("Gemm", {"x", "W"}, {"y"});
  y.inputs.push_back("bias");
  Node tn = graph_node("Gemm", {"x", "T"}, {"t"});
  tn.attrs.set("transB", int_attribute(1));
  Node sn = graph_node("Gemm", {"x", "W"}, {"s"});
  sn.inputs.push_back("bias");
  sn.attrs.set("beta", float_attribute(0.5f));
  g->nodes = {y, tn, sn};
  for (const char* name : {"y", "t", "s"}) g->outputs.push_back(value_info(name, DataType::kFloat));
  Model m;
  m.graph = g;
  m.opsets = {{"", 17}};
  return m;
}

// A Gemm's product reads the copy (its bias an Add after it), whichever way B is stored.
TEST(Bf16Weights, GemmsOverFixedWeightsReadTheRoundedWeights) {
  Model m = gemm_model();
  ASSERT_TRUE(Bf16WeightsPass().run(m));
  const auto& nodes = m.graph->nodes;
  ASSERT_EQ(nodes.size(), 4u);
  EXPECT_EQ(nodes[0].op_type, "MatMulBf16Weights");
  EXPECT_EQ(nodes[1].op_type, "Add");
  EXPECT_EQ(nodes[1].outputs[0], "y");
  EXPECT_EQ(nodes[2].op_type, "MatMulBf16Weights");
  EXPECT_EQ(nodes[2].attrs.get_int("trans_b", 0), 1);
  EXPECT_EQ(nodes[3].op_type, "Gemm");  // beta 0.5
  if (!bf16_weights_supported()) GTEST_SKIP() << "this CPU has no AVX512_BF16";
  ExecutionPlan plan(m.graph, m.opsets, {}, {});
  const std::vector<float> w = weights();
  for (int64_t rows : {1, 40}) {
    std::vector<float> x(static_cast<size_t>(rows * kK));
    for (size_t i = 0; i < x.size(); ++i) x[i] = std::cos(static_cast<float>(i) * 0.11f) * 3.0f;
    const std::vector<Tensor> out = plan.run(std::vector<Tensor>{make_tensor<float>({rows, kK}, x)});
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < kN; ++j) {
        double want = 0, scale = 0;
        for (int64_t kk = 0; kk < kK; ++kk) {
          const double term = static_cast<double>(round_bf16(x[static_cast<size_t>(r * kK + kk)])) *
                              round_bf16(w[static_cast<size_t>(kk * kN + j)]);
          want += term;
          scale += std::abs(term);
        }
        const float bias = 0.25f * static_cast<float>(j);
        ASSERT_NEAR(out[0].data<float>()[r * kN + j], want + bias, 1e-6 * scale + 1e-5) << rows << " rows, " << r << "," << j;
        ASSERT_NEAR(out[1].data<float>()[r * kN + j], want, 1e-6 * scale + 1e-6) << rows << " rows, " << r << "," << j;
      }
  }
}

TEST(Bf16Weights, AnEmbeddingIndexOutOfRangeIsAnError) {
  if (!bf16_weights_supported()) GTEST_SKIP() << "this CPU has no AVX512_BF16";
  Model m = model();
  ASSERT_TRUE(Bf16WeightsPass().run(m));
  ExecutionPlan plan(m.graph, m.opsets, {}, {});
  const Tensor x = make_tensor<float>({kK}, std::vector<float>(kK, 1.0f));
  const Tensor v = make_tensor<float>({kK, kN}, weights());
  try {
    plan.run(std::vector<Tensor>{x, v, make_tensor<int64_t>({1}, {kN})});
    FAIL() << "an index past the table ran";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("GatherColumnsBf16: index 42 is out of range"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace onnxgen::testing
