// Per-node executor overhead: a chain of 1,000 Adds on tiny tensors, where kernel work is
// negligible and what is measured is dispatch, allocation and release. Prints µs per node.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "runtime/exec/execution_plan.h"

using namespace onnxgen;

int main(int argc, char** argv) {
  int nodes = argc > 1 ? std::atoi(argv[1]) : 1000;
  int64_t width = argc > 2 ? std::atoll(argv[2]) : 4;
  int repeats = 200;

  auto g = std::make_shared<Graph>();
  g->name = "add_chain";
  ValueInfo x;
  x.name = "x";
  x.dtype = DataType::kFloat;
  g->inputs.push_back(x);
  std::string prev = "x";
  for (int i = 0; i < nodes; ++i) {
    Node n;
    n.op_type = "Add";
    n.name = "add" + std::to_string(i);
    n.inputs = {prev, "x"};
    n.outputs = {"t" + std::to_string(i)};
    prev = n.outputs[0];
    g->nodes.push_back(n);
  }
  ValueInfo y;
  y.name = prev;
  g->outputs.push_back(y);

  ExecutionPlan plan(g, {{"", 17}}, {}, PlanOptions{});
  Tensor input = Tensor::zeros(DataType::kFloat, {width});
  std::vector<Tensor> inputs = {input};
  for (int i = 0; i < 20; ++i) plan.run(inputs);
  std::vector<double> us_per_node;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    plan.run(inputs);
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    us_per_node.push_back(us / nodes);
  }
  std::sort(us_per_node.begin(), us_per_node.end());
  std::printf("chain of %d Add nodes on float32[%lld]: median %.3f us/node, p10 %.3f, p90 %.3f (%d runs)\n", nodes,
              static_cast<long long>(width), us_per_node[repeats / 2], us_per_node[repeats / 10],
              us_per_node[repeats * 9 / 10], repeats);
  return 0;
}
