#include <gtest/gtest.h>

#include "runtime/exec/execution_plan.h"
#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

std::vector<Tensor> run_graph(std::shared_ptr<Graph> g, const std::vector<Tensor>& inputs) {
  ExecutionPlan plan(g, {{"", 17}}, {}, PlanOptions{});
  return plan.run(inputs);
}

// then: y = Identity(outer_a); else: y = Identity(outer_b). Both read values of the enclosing graph.
TEST(If, BranchesReadEnclosingScopeValues) {
  auto then_g = std::make_shared<Graph>();
  then_g->name = "then";
  then_g->nodes.push_back(graph_node("Identity", {"a"}, {"t_out"}));
  then_g->outputs.push_back(value_info("t_out"));
  auto else_g = std::make_shared<Graph>();
  else_g->name = "else";
  else_g->nodes.push_back(graph_node("Identity", {"b"}, {"e_out"}));
  else_g->outputs.push_back(value_info("e_out"));

  auto g = std::make_shared<Graph>();
  g->inputs = {value_info("cond"), value_info("a"), value_info("b")};
  Node n = graph_node("If", {"cond"}, {"y"});
  n.attrs.set("then_branch", graph_attribute(then_g));
  n.attrs.set("else_branch", graph_attribute(else_g));
  g->nodes.push_back(n);
  g->outputs.push_back(value_info("y"));

  Tensor a = make_tensor<float>({2}, {1, 2}), b = make_tensor<int64_t>({1}, {7});
  EXPECT_EQ(values_of<float>(run_graph(g, {Tensor::scalar(true), a, b})[0]), (std::vector<float>{1, 2}));
  EXPECT_EQ(values_of<int64_t>(run_graph(g, {Tensor::scalar(false), a, b})[0]), (std::vector<int64_t>{7}));
}

// Loop body: carried value passes through; the scan output is the iteration number.
std::shared_ptr<Graph> counting_loop() {
  auto body = std::make_shared<Graph>();
  body->name = "body";
  body->inputs = {value_info("i"), value_info("c_in"), value_info("v_in")};
  body->nodes.push_back(graph_node("Identity", {"c_in"}, {"c_out"}));
  body->nodes.push_back(graph_node("Identity", {"v_in"}, {"v_out"}));
  body->nodes.push_back(graph_node("Identity", {"i"}, {"scan"}));
  body->outputs = {value_info("c_out"), value_info("v_out"), value_info("scan")};
  auto g = std::make_shared<Graph>();
  g->inputs = {value_info("M"), value_info("cond"), value_info("v")};
  Node n = graph_node("Loop", {"M", "cond", "v"}, {"v_final", "scans"});
  n.attrs.set("body", graph_attribute(body));
  g->nodes.push_back(n);
  g->outputs = {value_info("v_final"), value_info("scans")};
  return g;
}

TEST(Loop, RunsTripCountAndStacksScanOutputs) {
  auto out = run_graph(counting_loop(), {Tensor::scalar<int64_t>(3), Tensor::scalar(true), make_tensor<float>({1}, {5})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{5}));
  EXPECT_EQ(out[1].describe(), "int64[3]");
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{0, 1, 2}));
}

TEST(Loop, FalseConditionRunsNoIteration) {
  auto out = run_graph(counting_loop(), {Tensor::scalar<int64_t>(3), Tensor::scalar(false), make_tensor<float>({1}, {5})});
  EXPECT_EQ(out[1].shape()[0], 0);
}

TEST(Scan, SlicesInputsAndStacksOutputsInReverse) {
  auto body = std::make_shared<Graph>();
  body->name = "body";
  body->inputs = {value_info("state_in"), value_info("x_t")};
  body->nodes.push_back(graph_node("Identity", {"x_t"}, {"state_out"}));
  body->nodes.push_back(graph_node("Identity", {"x_t"}, {"y_t"}));
  body->outputs = {value_info("state_out"), value_info("y_t")};
  auto g = std::make_shared<Graph>();
  g->inputs = {value_info("s0"), value_info("x")};
  Node n = graph_node("Scan", {"s0", "x"}, {"s_final", "y"});
  n.attrs.set("body", graph_attribute(body));
  n.attrs.set("num_scan_inputs", int_attribute(1));
  n.attrs.set("scan_output_directions", ints_attribute({1}));
  g->nodes.push_back(n);
  g->outputs = {value_info("s_final"), value_info("y")};
  auto out = run_graph(g, {make_tensor<float>({2}, {0, 0}), make_tensor<float>({3, 2}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{5, 6}));
  EXPECT_EQ(values_of<float>(out[1]), (std::vector<float>{5, 6, 3, 4, 1, 2}));
}

TEST(ExecutionPlan, OrdersUnsortedNodesAndRejectsCycles) {
  auto g = std::make_shared<Graph>();
  g->inputs = {value_info("x")};
  g->nodes.push_back(graph_node("Identity", {"t"}, {"y"}));
  g->nodes.push_back(graph_node("Identity", {"x"}, {"t"}));
  g->outputs = {value_info("y")};
  EXPECT_EQ(values_of<float>(run_graph(g, {make_tensor<float>({1}, {3})})[0]), (std::vector<float>{3}));

  g->nodes[1].inputs = {"y"};
  g->inputs.clear();
  EXPECT_THROW(run_graph(g, {}), Error);
}

TEST(ExecutionPlan, UndefinedInputIsNamed) {
  auto g = std::make_shared<Graph>();
  g->nodes.push_back(graph_node("Identity", {"ghost"}, {"y"}));
  g->outputs = {value_info("y")};
  try {
    run_graph(g, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("reads 'ghost', which nothing defines"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace onnxgen::testing
