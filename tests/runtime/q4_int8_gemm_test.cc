// The int4 x int8 kernel against a scalar evaluation of the same arithmetic: A quantised per
// block to int8 (round half to even), integer dot products with (code - zero point, 8 when
// symmetric), scaled per block. Covers N not a multiple of the 16-row groups, blocks of 64 and
// 128, every tile height of A rows, more rows of A than one L2-sized row block, and packed zero
// points (an odd count of blocks ends in half a byte), with each instruction set the CPU has.
#include "runtime/ops/cpu/q4_int8_gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <random>

namespace onnxgen {
namespace {

struct Case {
  int64_t m, n, k, block;
  bool zero_points = false;
};

// gtest would print the bytes of a Case, padding included (valgrind: uninitialised reads).
void PrintTo(const Case& c, std::ostream* os) {
  *os << "m" << c.m << " n" << c.n << " k" << c.k << " block" << c.block << (c.zero_points ? " zp" : "");
}

std::vector<float> reference(const std::vector<float>& a, const std::vector<uint8_t>& codes,
                             const std::vector<float>& scales, const std::vector<uint8_t>& zero_points,
                             const Case& c) {
  std::vector<float> y(static_cast<size_t>(c.m * c.n));
  const int64_t blocks = c.k / c.block;
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t r = 0; r < c.n; ++r) {
      double acc = 0;
      for (int64_t b = 0; b < blocks; ++b) {
        const float* src = a.data() + i * c.k + b * c.block;
        float amax = 0;
        for (int64_t j = 0; j < c.block; ++j) amax = std::max(amax, std::fabs(src[j]));
        const float a_scale = amax / 127.0f, inv = a_scale != 0 ? 1.0f / a_scale : 0.0f;
        int64_t dot = 0;
        for (int64_t j = 0; j < c.block; ++j) {
          const int64_t kk = b * c.block + j;
          const uint8_t byte = codes[static_cast<size_t>(r * c.k / 2 + kk / 2)];
          const int code = kk % 2 ? byte >> 4 : byte & 0x0F;
          int zero = 8;
          if (c.zero_points) {
            const uint8_t z = zero_points[static_cast<size_t>(r * ((blocks + 1) / 2) + b / 2)];
            zero = b % 2 ? z >> 4 : z & 0x0F;
          }
          dot += static_cast<int64_t>(std::nearbyint(src[j] * inv)) * (code - zero);
        }
        acc += static_cast<double>(scales[static_cast<size_t>(r * blocks + b)]) * a_scale * static_cast<double>(dot);
      }
      y[static_cast<size_t>(i * c.n + r)] = static_cast<float>(acc);
    }
  return y;
}

class Q4Int8Gemm : public ::testing::TestWithParam<Case> {};

TEST_P(Q4Int8Gemm, MatchesScalarInt8Arithmetic) {
  if (!q4_int8_supported()) GTEST_SKIP() << "needs AVX2, FMA and BMI2";
  const Case c = GetParam();
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-2.0f, 2.0f);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<float> a(static_cast<size_t>(c.m * c.k)), scales(static_cast<size_t>(c.n * c.k / c.block));
  std::vector<uint8_t> codes(static_cast<size_t>(c.n * c.k / 2));
  for (auto& v : a) v = value(rng);
  for (auto& v : scales) v = value(rng) * 0.05f;
  for (auto& v : codes) v = static_cast<uint8_t>(byte(rng));
  std::vector<uint8_t> zero_points(static_cast<size_t>(c.n * ((c.k / c.block + 1) / 2)));
  for (auto& v : zero_points) v = static_cast<uint8_t>(byte(rng));

  const Q4Weights w{codes.data(), scales.data(), c.n, c.k, c.block, c.zero_points ? zero_points.data() : nullptr};
  ThreadPool pool(3);
  const Q4PackedWeights packed = q4_pack_weights(pool, w);
  const std::vector<float> want = reference(a, codes, scales, zero_points, c);
  for (Q4Kernel kernel : {Q4Kernel::kAvx2, Q4Kernel::kAvx512Vnni}) {
    if (!q4_kernel_supported(kernel)) continue;
    Q4QuantizedA qa;
    q4_quantize_a(a.data(), c.m, c.k, c.block, qa, kernel);
    std::vector<float> y(static_cast<size_t>(c.m * c.n));
    const Q4Output out[] = {{y.data(), c.n}};
    q4_int8_gemm(pool, packed, qa, out, kernel);
    for (size_t i = 0; i < y.size(); ++i)
      ASSERT_NEAR(y[i], want[i], 1e-4f * (1.0f + std::fabs(want[i])))
          << "at " << i << (kernel == Q4Kernel::kAvx2 ? " (AVX2)" : " (AVX-512 VNNI)");
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, Q4Int8Gemm,
                         ::testing::Values(Case{1, 96, 576, 32},    // whole groups
                                           Case{1, 41, 96, 32},     // a last group of one row
                                           Case{3, 33, 128, 64},    // two chunks per scale
                                           Case{7, 50, 224, 32},    // tiles of 4 and 3 rows
                                           Case{19, 20, 64, 32},    // tiles of 8, 8, 3; a half group
                                           Case{4, 17, 256, 128},
                                           Case{10, 24, 64, 32},    // tiles of 4, 4 and 2 rows
                                           Case{70, 20, 8192, 32},  // row blocks of 32 rows
                                           Case{1, 41, 96, 32, true},
                                           Case{19, 20, 64, 32, true},
                                           Case{7, 50, 224, 32, true},
                                           Case{4, 17, 384, 128, true}),
                         [](const auto& info) {
                           const Case& c = info.param;
                           return "m" + std::to_string(c.m) + "_n" + std::to_string(c.n) + "_k" + std::to_string(c.k) +
                                  "_block" + std::to_string(c.block) + (c.zero_points ? "_zp" : "");
                         });

}  // namespace
}  // namespace onnxgen
