// The float32 decode GEMV alone (gemv_f32, B stored [k][n] as ONNX MatMul weights are; with
// "bf16", gemv_bf16 over the bfloat16 weights of --weight-dtype bf16, stored [n][k]), on the
// projection shapes of SmolLM2-135M: weights cycled through a set larger than the last-level
// cache, as a decode step streams them, so the figure is B's bytes per second against memory
// whatever the rows of A (one per sequence of a decode batch). Prints the fastest and the median.
// Usage: gemv_f32_bench [rows of A] [repeats] [threads] [f32|bf16]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "runtime/core/huge_page_arena.h"
#include "runtime/ops/cpu/gemv.h"
#include "runtime/ops/cpu/gemv_bf16.h"

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

template <class T>
void run(ThreadPool& pool, int64_t m, int repeats) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (const Shape& s : kShapes) {
    const int64_t bytes = s.k * s.n * static_cast<int64_t>(sizeof(T));
    const int64_t copies = std::max<int64_t>(2, kStreamBytes / bytes);
    // On huge pages when bfloat16, as MatMulBf16Weights keeps its cast copy; float32 weights are
    // the model file's mapped pages.
    const auto elements = static_cast<size_t>(copies * s.k * s.n);
    std::unique_ptr<T[], void (*)(void*)> b{nullptr, nullptr};
    if constexpr (std::is_same_v<T, float>)
      b = {new T[elements], [](void* p) { delete[] static_cast<T*>(p); }};
    else
      b = {static_cast<T*>(huge_page_arena::allocate(elements * sizeof(T))), huge_page_arena::free};
    for (size_t i = 0; i < elements; ++i) b[i] = T(dist(rng));
    std::vector<float> a(static_cast<size_t>(m * s.k));
    for (auto& x : a) x = dist(rng);
    const std::vector<BFloat16> a_bf16(a.begin(), a.end());
    std::vector<float> c(static_cast<size_t>(m * s.n));
    std::vector<double> rates;
    for (int r = 0; r < repeats; ++r) {
      const auto start = std::chrono::steady_clock::now();
      for (int64_t i = 0; i < copies; ++i) {
        const T* bi = b.get() + i * s.k * s.n;
        if constexpr (std::is_same_v<T, float>)
          gemv_f32(pool, m, s.n, s.k, false, a.data(), bi, c.data());
        else
          gemv_bf16(pool, m, s.n, s.k, a_bf16.data(), bi, c.data());
      }
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      rates.push_back(static_cast<double>(copies * bytes) / sec / 1e9);
    }
    std::sort(rates.begin(), rates.end());
    std::printf("  %-28s best %6.1f GB/s  median %6.1f GB/s  (%6.1f us a call)\n", s.name, rates.back(),
                rates[rates.size() / 2], bytes / rates[rates.size() / 2] / 1e3);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t m = argc > 1 ? std::atoll(argv[1]) : 1;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 10;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
  const bool bf16 = argc > 4 && std::string(argv[4]) == "bf16";
  ThreadPool pool(threads);
  std::printf("%s, %lld row(s) of A, %d threads\n", bf16 ? "gemv_bf16" : "gemv_f32",
              static_cast<long long>(m), threads);
  if (bf16)
    run<BFloat16>(pool, m, repeats);
  else
    run<float>(pool, m, repeats);
  return 0;
}
