// An int4 kernel alone, on the projection shapes of SmolLM2-135M and Qwen2.5-0.5B: the int4 x int8
// q4_int8_gemm (accuracy_level 4), or q4_float_gemv (float32 compute) with --float. Weights are
// cycled through a set larger than the last-level cache, as a decode step streams them, so the
// figure is the kernel's weight bytes per second against memory. Prints the fastest and the
// median of the repeats (the fastest is the one a busy machine disturbs least).
// Usage: q4_gemv_bench [rows of A (1 = decode)] [repeats] [threads] [--float]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "runtime/ops/cpu/q4_float_gemv.h"
#include "runtime/ops/cpu/q4_int8_gemm.h"

using namespace onnxgen;

namespace {

struct Shape {
  const char* name;
  int64_t n, k;
};

constexpr Shape kShapes[] = {{"smollm2 qkv 960x576", 960, 576},      {"smollm2 gate/up 1536x576", 1536, 576},
                             {"smollm2 down 576x1536", 576, 1536},   {"qwen qkv 1152x896", 1152, 896},
                             {"qwen gate/up 4864x896", 4864, 896},   {"qwen down 896x4864", 896, 4864}};
constexpr int64_t kBlock = 32;
constexpr int64_t kStreamBytes = 256 << 20;  // well past any last-level cache

}  // namespace

int main(int argc, char** argv) {
  const int64_t m = argc > 1 ? std::atoll(argv[1]) : 1;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 20;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
  const bool float_compute = argc > 4 && std::string(argv[4]) == "--float";
  if (!q4_int8_supported() || (float_compute && m > kQ4FloatGemvMaxRows)) {
    std::printf("this CPU lacks AVX2/FMA/BMI2, or the float GEMV takes at most %lld rows\n",
                static_cast<long long>(kQ4FloatGemvMaxRows));
    return 0;
  }
  ThreadPool pool(threads);
  std::mt19937 rng(1);
  std::printf("%s, %lld row(s) of A, %d threads, block %lld\n", float_compute ? "q4_float_gemv" : "q4_int8_gemm",
              static_cast<long long>(m), threads, static_cast<long long>(kBlock));
  for (const Shape& s : kShapes) {
    const int64_t bytes = s.n * s.k / 2 + s.n * (s.k / kBlock) * 4;
    const int64_t copies = std::max<int64_t>(2, kStreamBytes / bytes);
    std::vector<uint8_t> codes(static_cast<size_t>(s.n * s.k / 2));
    std::vector<float> scales(static_cast<size_t>(s.n * (s.k / kBlock)));
    for (auto& c : codes) c = static_cast<uint8_t>(rng());
    for (auto& x : scales) x = 0.01f;
    std::vector<Q4PackedWeights> packed;
    std::vector<std::vector<uint8_t>> code_copies;
    for (int64_t i = 0; i < copies; ++i) {
      if (float_compute) code_copies.push_back(codes);
      else packed.push_back(q4_pack_weights(pool, {codes.data(), scales.data(), s.n, s.k, kBlock}));
    }
    std::vector<float> a(static_cast<size_t>(m * s.k));
    for (auto& x : a) x = std::uniform_real_distribution<float>(-1, 1)(rng);
    std::vector<float> y(static_cast<size_t>(m * s.n));
    Q4QuantizedA qa;
    std::vector<double> rates;
    for (int r = 0; r < repeats; ++r) {
      const auto start = std::chrono::steady_clock::now();
      for (const auto& w : packed) {
        q4_quantize_a(a.data(), m, s.k, kBlock, qa);
        q4_int8_gemm(pool, w, qa, y.data());
      }
      for (const auto& c : code_copies)
        q4_float_gemv(pool, {c.data(), scales.data(), nullptr, nullptr, s.n, s.k, kBlock}, a.data(), m, y.data());
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      rates.push_back(static_cast<double>(bytes * copies) / sec / 1e9);
    }
    std::sort(rates.begin(), rates.end());
    std::printf("  %-26s %7.1f us/call   best %6.2f GB/s   median %6.2f GB/s\n", s.name,
                static_cast<double>(bytes) / rates.back() / 1e3, rates.back(), rates[rates.size() / 2]);
  }
}
