#include "runtime/graph/dead_code.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

std::vector<std::string> node_outputs(const Graph& g) {
  std::vector<std::string> out;
  for (const auto& n : g.nodes) out.push_back(n.outputs.front());
  return out;
}

std::vector<std::string> input_names(const Graph& g) {
  std::vector<std::string> out;
  for (const auto& in : g.inputs) out.push_back(in.name);
  return out;
}

TEST(DeadCode, RemovesChainsNobodyReadsAndTheirInputs) {
  Graph g;
  g.inputs = {value_info("x", DataType::kFloat), value_info("unused", DataType::kFloat),
              value_info("only_dead", DataType::kFloat)};
  g.initializers["w"] = Tensor::zeros(DataType::kFloat, {1});
  g.initializers["w_dead"] = Tensor::zeros(DataType::kFloat, {1});
  // y = Relu(x + w); the chain a -> b -> c reads only_dead and w_dead but reaches no output.
  g.nodes = {graph_node("Add", {"x", "w"}, {"s"}), graph_node("Mul", {"only_dead", "w_dead"}, {"a"}),
             graph_node("Neg", {"a"}, {"b"}), graph_node("Relu", {"s"}, {"y"}), graph_node("Abs", {"b", "s"}, {"c"})};
  g.outputs = {value_info("y", DataType::kFloat)};
  g.value_infos = {value_info("s", DataType::kFloat), value_info("b", DataType::kFloat)};

  EXPECT_TRUE(remove_dead_code(g));
  EXPECT_EQ(node_outputs(g), (std::vector<std::string>{"s", "y"}));
  EXPECT_EQ(input_names(g), std::vector<std::string>{"x"});
  EXPECT_TRUE(g.initializers.count("w"));
  EXPECT_FALSE(g.initializers.count("w_dead"));
  ASSERT_EQ(g.value_infos.size(), 1u);
  EXPECT_EQ(g.value_infos[0].name, "s");
  EXPECT_FALSE(remove_dead_code(g)) << "a second run finds nothing";
}

TEST(DeadCode, KeepsNodesWithOneReadOutputAndValuesSubgraphsCapture) {
  Graph g;
  g.inputs = {value_info("x", DataType::kFloat), value_info("cond", DataType::kFloat),
              value_info("captured", DataType::kFloat)};
  g.nodes = {graph_node("Split", {"x"}, {"half0", "half1"}), graph_node("Neg", {"captured"}, {"neg"})};
  auto then_g = std::make_shared<Graph>();
  then_g->nodes = {graph_node("Add", {"half0", "neg"}, {"t"})};  // reads two values of the outer graph
  then_g->outputs = {value_info("t", DataType::kFloat)};
  auto else_g = std::make_shared<Graph>();
  else_g->nodes = {graph_node("Identity", {"half0"}, {"e"})};
  else_g->outputs = {value_info("e", DataType::kFloat)};
  Node branch = graph_node("If", {"cond"}, {"r"});
  branch.attrs.set("then_branch", graph_attribute(then_g));
  branch.attrs.set("else_branch", graph_attribute(else_g));
  g.nodes.push_back(branch);
  g.outputs = {value_info("r", DataType::kFloat)};

  EXPECT_FALSE(remove_dead_code(g));
  EXPECT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(input_names(g), (std::vector<std::string>{"x", "cond", "captured"}));
}

TEST(DeadCode, OutputsReadStraightFromInputsKeepThem) {
  Graph g;
  g.inputs = {value_info("x", DataType::kFloat), value_info("y", DataType::kFloat)};
  g.nodes = {graph_node("Neg", {"y"}, {"n"})};
  g.outputs = {value_info("x", DataType::kFloat)};
  EXPECT_TRUE(remove_dead_code(g));
  EXPECT_TRUE(g.nodes.empty());
  EXPECT_EQ(input_names(g), std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace onnxgen::testing
