// PagedAttention alone on decode steps (one query token per sequence) of SmolLM2-135M and
// Qwen2.5-0.5B shapes. Each of `layers` calls reads its own cache, scattered over shuffled
// blocks, so that as in a decode step the KV rows come from memory rather than from a cache
// the previous call warmed. Prints microseconds per call (per layer) and the KV bytes read per
// second, fastest and median of the repeats.
// Usage: paged_attention_bench [sequences] [context] [repeats] [threads] [block size]
#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <vector>

#include "runtime/core/thread_pool.h"
#include "runtime/exec/execution_plan.h"
#include "runtime/graph/attribute.h"

using namespace onnxgen;

namespace {

struct ModelShape {
  const char* name;
  int64_t heads, kv_heads, dim;
};

constexpr ModelShape kShapes[] = {{"smollm2 9/3 heads x 64", 9, 3, 64}, {"qwen2.5-0.5b 14/2 heads x 64", 14, 2, 64}};
constexpr double kMinCacheBytes = 128e6;  // all layers' caches together: well past the LLC

std::shared_ptr<Graph> paged_attention_graph(const ModelShape& s) {
  auto g = std::make_shared<Graph>();
  g->name = "paged_attention_bench";
  Node node;
  node.op_type = "PagedAttention";
  node.domain = "com.onnxgen";
  node.name = "attention";
  for (int i = 0; i < 9; ++i) {
    const std::string name = "in" + std::to_string(i);
    node.inputs.push_back(name);
    ValueInfo vi;
    vi.name = name;
    vi.dtype = i < 5 ? DataType::kFloat : DataType::kInt32;
    g->inputs.push_back(vi);
  }
  node.outputs.push_back("out");
  ValueInfo out;
  out.name = "out";
  g->outputs.push_back(out);
  node.attrs.set("num_heads", int_attribute(s.heads));
  node.attrs.set("num_kv_heads", int_attribute(s.kv_heads));
  g->nodes.push_back(std::move(node));
  return g;
}

Tensor random_floats(Shape shape, std::mt19937& rng) {
  Tensor t = Tensor::empty(DataType::kFloat, std::move(shape));
  std::normal_distribution<float> normal;
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = normal(rng);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t seqs = argc > 1 ? std::atoll(argv[1]) : 1;
  const int64_t context = argc > 2 ? std::atoll(argv[2]) : 192;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 20;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 2;
  const int64_t block = argc > 5 ? std::atoll(argv[5]) : 16;
  ThreadPool::set_global_threads(threads);
  std::mt19937 rng(1);
  std::printf("PagedAttention decode, %lld sequence(s) of %lld tokens, %d threads, fp32 cache in blocks of %lld\n",
              static_cast<long long>(seqs), static_cast<long long>(context), threads, static_cast<long long>(block));
  for (const ModelShape& s : kShapes) {
    const int64_t blocks_per_seq = (context + block - 1) / block, blocks = seqs * blocks_per_seq;
    PlanOptions options;
    options.fold_constants = false;
    ExecutionPlan plan(paged_attention_graph(s), {{"", 17}, {"com.onnxgen", 1}}, {}, options);
    const double kv_bytes = 2.0 * static_cast<double>(seqs * context * s.kv_heads * s.dim * 4);
    const auto layers = static_cast<int64_t>(std::ceil(kMinCacheBytes / kv_bytes));
    // Per layer: a cache of its own and a shuffled block table over it.
    std::vector<std::vector<Tensor>> feeds;
    for (int64_t layer = 0; layer < layers; ++layer) {
      std::vector<int32_t> order(static_cast<size_t>(blocks));
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), rng);
      Tensor tables = Tensor::empty(DataType::kInt32, {seqs, blocks_per_seq});
      Tensor slots = Tensor::empty(DataType::kInt32, {seqs});
      Tensor lens = Tensor::empty(DataType::kInt32, {seqs});
      Tensor loc = Tensor::empty(DataType::kInt32, {seqs + 1});
      loc.data<int32_t>()[0] = 0;
      for (int64_t q = 0; q < seqs; ++q) {
        std::copy_n(order.begin() + q * blocks_per_seq, blocks_per_seq, tables.data<int32_t>() + q * blocks_per_seq);
        const int64_t last = context - 1;
        slots.data<int32_t>()[q] =
            static_cast<int32_t>(tables.data<int32_t>()[q * blocks_per_seq + last / block] * block + last % block);
        lens.data<int32_t>()[q] = static_cast<int32_t>(context);
        loc.data<int32_t>()[q + 1] = static_cast<int32_t>(q + 1);
      }
      const Shape cache = {blocks, s.kv_heads, block, s.dim};
      feeds.push_back({random_floats({seqs, s.heads * s.dim}, rng),
                       random_floats({seqs, s.kv_heads * s.dim}, rng),
                       random_floats({seqs, s.kv_heads * s.dim}, rng),
                       random_floats(cache, rng), random_floats(cache, rng),
                       slots, tables, lens, loc});
    }
    std::vector<double> us;
    for (int r = 0; r < repeats + 1; ++r) {
      const auto start = std::chrono::steady_clock::now();
      for (const auto& f : feeds) plan.run(f);
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (r > 0) us.push_back(sec * 1e6 / static_cast<double>(layers));  // the first pass pages the caches in
    }
    std::sort(us.begin(), us.end());
    std::printf("  %-30s best %7.1f us/call (%5.2f GB/s of KV)   median %7.1f us/call\n", s.name, us.front(),
                kv_bytes / us.front() / 1e3, us[us.size() / 2]);
  }
}
