// The float32 decode GEMV alone (gemv_f32, B stored [k][n] as ONNX MatMul weights are), on the
// projection shapes of SmolLM2-135M: weights cycled through a set larger than the last-level
// cache, as a decode step streams them, so the figure is B's bytes per second against memory
// whatever the rows of A (one per sequence of a decode batch). Prints the fastest and the median.
// Usage: gemv_f32_bench [rows of A] [repeats] [threads]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "runtime/ops/cpu/gemv.h"

using namespace onnxgen;

namespace {

struct Shape {
  const char* name;
  int64_t k, n;
};

constexpr Shape kShapes[] = {{"smollm2 q/o 576x576", 576, 576},
                             {"smollm2 k/v 576x192", 576, 192},
                             {"smollm2 gate/up 576x1536", 576, 1536},
                             {"smollm2 down 1536x576", 1536, 576},
                             {"smollm2 head 576x49152", 576, 49152}};
constexpr int64_t kStreamBytes = 512 << 20;

}  // namespace

int main(int argc, char** argv) {
  const int64_t m = argc > 1 ? std::atoll(argv[1]) : 1;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 10;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
  ThreadPool pool(threads);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::printf("gemv_f32, %lld row(s) of A, %d threads\n", static_cast<long long>(m), threads);
  for (const Shape& s : kShapes) {
    const int64_t bytes = s.k * s.n * 4;
    const int64_t copies = std::max<int64_t>(2, kStreamBytes / bytes);
    std::vector<float> b(static_cast<size_t>(copies * s.k * s.n));
    for (auto& x : b) x = dist(rng);
    std::vector<float> a(static_cast<size_t>(m * s.k));
    for (auto& x : a) x = dist(rng);
    std::vector<float> c(static_cast<size_t>(m * s.n));
    std::vector<double> rates;
    for (int r = 0; r < repeats; ++r) {
      const auto start = std::chrono::steady_clock::now();
      for (int64_t i = 0; i < copies; ++i) gemv_f32(pool, m, s.n, s.k, false, a.data(), b.data() + i * s.k * s.n, c.data());
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      rates.push_back(static_cast<double>(copies * bytes) / sec / 1e9);
    }
    std::sort(rates.begin(), rates.end());
    std::printf("  %-28s best %6.1f GB/s  median %6.1f GB/s  (%6.1f us a call)\n", s.name, rates.back(),
                rates[rates.size() / 2], bytes / rates[rates.size() / 2] / 1e3);
  }
  return 0;
}
