#include "runtime/graph/dead_code.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace onnxgen {
namespace {

Node node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
  Node n;
  n.name = op + "_" + out.front();
  n.op_type = op;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

ValueInfo value(const std::string& name) {
  ValueInfo v;
  v.name = name;
  v.dtype = DataType::kFloat;
  return v;
}

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
  g.inputs = {value("x"), value("unused"), value("only_dead")};
  g.initializers["w"] = Tensor::zeros(DataType::kFloat, {1});
  g.initializers["w_dead"] = Tensor::zeros(DataType::kFloat, {1});
  // y = Relu(x + w); the chain a -> b -> c reads only_dead and w_dead but reaches no output.
  g.nodes = {node("Add", {"x", "w"}, {"s"}), node("Mul", {"only_dead", "w_dead"}, {"a"}),
             node("Neg", {"a"}, {"b"}), node("Relu", {"s"}, {"y"}), node("Abs", {"b", "s"}, {"c"})};
  g.outputs = {value("y")};
  g.value_infos = {value("s"), value("b")};

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
  g.inputs = {value("x"), value("cond"), value("captured")};
  g.nodes = {node("Split", {"x"}, {"half0", "half1"}), node("Neg", {"captured"}, {"neg"})};
  auto then_g = std::make_shared<Graph>();
  then_g->nodes = {node("Add", {"half0", "neg"}, {"t"})};  // reads two values of the outer graph
  then_g->outputs = {value("t")};
  auto else_g = std::make_shared<Graph>();
  else_g->nodes = {node("Identity", {"half0"}, {"e"})};
  else_g->outputs = {value("e")};
  Node branch = node("If", {"cond"}, {"r"});
  branch.attrs.set("then_branch", graph_attribute(then_g));
  branch.attrs.set("else_branch", graph_attribute(else_g));
  g.nodes.push_back(branch);
  g.outputs = {value("r")};

  EXPECT_FALSE(remove_dead_code(g));
  EXPECT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(input_names(g), (std::vector<std::string>{"x", "cond", "captured"}));
}

TEST(DeadCode, OutputsReadStraightFromInputsKeepThem) {
  Graph g;
  g.inputs = {value("x"), value("y")};
  g.nodes = {node("Neg", {"y"}, {"n"})};
  g.outputs = {value("x")};
  EXPECT_TRUE(remove_dead_code(g));
  EXPECT_TRUE(g.nodes.empty());
  EXPECT_EQ(input_names(g), std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace onnxgen
