// MatMul throughput: onnxgen's MatMul node (run through an execution plan, so including executor
// overhead) against a oneDNN matmul primitive called directly on the same shapes. Prints GFLOP/s
// (2*M*K*N per product), median of the repeats. Usage: matmul_bench [repeats]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <vector>

#include "oneapi/dnnl/dnnl.hpp"
#include "runtime/exec/execution_plan.h"

using namespace onnxgen;

namespace {

struct Case {
  const char* name;
  int64_t m, k, n;
};

Tensor random_tensor(Shape shape, std::mt19937& rng) {
  Tensor t = Tensor::empty(DataType::kFloat, std::move(shape));
  std::uniform_real_distribution<float> dist(-1, 1);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

// Median seconds per call of fn, after warm-up calls.
double median_seconds(const std::function<void()>& fn, int repeats) {
  for (int i = 0; i < 3; ++i) fn();
  std::vector<double> s;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(s.begin(), s.end());
  return s[s.size() / 2];
}

std::shared_ptr<Graph> matmul_graph() {
  auto g = std::make_shared<Graph>();
  g->name = "matmul";
  for (const char* name : {"a", "b"}) {
    ValueInfo v;
    v.name = name;
    v.dtype = DataType::kFloat;
    g->inputs.push_back(v);
  }
  Node n;
  n.op_type = "MatMul";
  n.name = "matmul";
  n.inputs = {"a", "b"};
  n.outputs = {"y"};
  g->nodes.push_back(n);
  ValueInfo y;
  y.name = "y";
  g->outputs.push_back(y);
  return g;
}

double onednn_seconds(const Case& c, const Tensor& a, const Tensor& b, int repeats) {
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  dnnl::memory::desc ad({c.m, c.k}, dt::f32, tag::ab), bd({c.k, c.n}, dt::f32, tag::ab), cd({c.m, c.n}, dt::f32, tag::ab);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(ad, bd, cd), engine);
  dnnl::matmul prim(pd);
  std::vector<float> out(static_cast<size_t>(c.m * c.n));
  dnnl::memory am(ad, engine, a.raw()), bm(bd, engine, b.raw()), cm(cd, engine, out.data());
  return median_seconds(
      [&] {
        prim.execute(stream, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
        stream.wait();
      },
      repeats);
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 20;
  const Case cases[] = {
      {"decode GEMV", 1, 2048, 2048},
      {"prefill", 128, 2048, 2048},
      {"square", 512, 512, 512},
  };
  std::mt19937 rng(42);
  ExecutionPlan plan(matmul_graph(), {{"", 17}}, {}, PlanOptions{});
  std::printf("%-12s %5s %5s %5s  %14s  %14s  %6s\n", "case", "M", "K", "N", "onnxgen GF/s", "oneDNN GF/s", "ratio");
  for (const Case& c : cases) {
    Tensor a = random_tensor({c.m, c.k}, rng), b = random_tensor({c.k, c.n}, rng);
    std::vector<Tensor> inputs = {a, b};
    const double flops = 2.0 * static_cast<double>(c.m) * static_cast<double>(c.k) * static_cast<double>(c.n);
    const double ours = flops / median_seconds([&] { plan.run(inputs); }, repeats) * 1e-9;
    const double theirs = flops / onednn_seconds(c, a, b, repeats) * 1e-9;
    std::printf("%-12s %5lld %5lld %5lld  %14.2f  %14.2f  %6.2f\n", c.name, static_cast<long long>(c.m),
                static_cast<long long>(c.k), static_cast<long long>(c.n), ours, theirs, ours / theirs);
  }
  return 0;
}
