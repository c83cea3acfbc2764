// The float32-compute int4 kernels against sums in double of A times (code - zero point) * scale:
// every tile height and width (rows of A 1 to 8, N not a multiple of the tile), blocks of 32, 64
// and 128 (an odd count, so packed zero points end in half a byte), zero points absent, packed and
// float, with each instruction set the CPU has. Dequantisation must be exact.
#include "runtime/ops/cpu/q4_float_gemv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace onnxgen {
namespace {

enum class ZeroPoints { kNone, kPacked, kFloat };

struct Case {
  int64_t m, n, k, block;
  ZeroPoints zero_points;
};

// gtest would print the bytes of a Case, padding included (valgrind: uninitialised reads).
void PrintTo(const Case& c, std::ostream* os) {
  *os << "m" << c.m << " n" << c.n << " k" << c.k << " block" << c.block << " zp" << static_cast<int>(c.zero_points);
}

struct Fixture {
  std::vector<uint8_t> codes, packed_zp;
  std::vector<float> scales, float_zp, a;
  Q4FloatWeights w{};

  explicit Fixture(const Case& c) {
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_real_distribution<float> value(-2.0f, 2.0f);
    const int64_t blocks = c.k / c.block;
    codes.resize(static_cast<size_t>(c.n * c.k / 2));
    for (auto& v : codes) v = static_cast<uint8_t>(byte(rng));
    scales.resize(static_cast<size_t>(c.n * blocks));
    for (auto& v : scales) v = value(rng) * 0.05f;
    a.resize(static_cast<size_t>(c.m * c.k));
    for (auto& v : a) v = value(rng);
    w = {codes.data(), scales.data(), nullptr, nullptr, c.n, c.k, c.block};
    if (c.zero_points == ZeroPoints::kPacked) {
      packed_zp.resize(static_cast<size_t>(c.n * ((blocks + 1) / 2)));
      for (auto& v : packed_zp) v = static_cast<uint8_t>(byte(rng));
      w.packed_zero_points = packed_zp.data();
    } else if (c.zero_points == ZeroPoints::kFloat) {
      float_zp.resize(static_cast<size_t>(c.n * blocks));
      for (auto& v : float_zp) v = value(rng) * 4.0f + 8.0f;
      w.float_zero_points = float_zp.data();
    }
  }

  float dequantized(int64_t row, int64_t kk) const {
    const int64_t blocks = w.k / w.block, b = kk / w.block;
    const uint8_t byte = codes[static_cast<size_t>(row * w.k / 2 + kk / 2)];
    const int code = kk % 2 ? byte >> 4 : byte & 0x0F;
    float zero = 8.0f;
    if (w.packed_zero_points) {
      const uint8_t z = packed_zp[static_cast<size_t>(row * ((blocks + 1) / 2) + b / 2)];
      zero = static_cast<float>(b % 2 ? z >> 4 : z & 0x0F);
    } else if (w.float_zero_points) {
      zero = float_zp[static_cast<size_t>(row * blocks + b)];
    }
    return (static_cast<float>(code) - zero) * scales[static_cast<size_t>(row * blocks + b)];
  }
};

const char* zero_points_name(ZeroPoints z) {
  return z == ZeroPoints::kNone ? "nozp" : z == ZeroPoints::kPacked ? "packedzp" : "floatzp";
}

std::string kernel_name(Q4FloatKernel kernel) { return kernel == Q4FloatKernel::kAvx2 ? "AVX2" : "AVX-512"; }

class Q4FloatGemv : public ::testing::TestWithParam<Case> {};

TEST_P(Q4FloatGemv, MatchesDoubleSums) {
  if (!q4_float_supported()) GTEST_SKIP() << "needs AVX2 and FMA";
  const Case c = GetParam();
  const Fixture f(c);
  std::vector<double> want(static_cast<size_t>(c.m * c.n)), magnitude(want.size());
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t r = 0; r < c.n; ++r)
      for (int64_t kk = 0; kk < c.k; ++kk) {
        const double term = static_cast<double>(f.a[static_cast<size_t>(i * c.k + kk)]) * f.dequantized(r, kk);
        want[static_cast<size_t>(i * c.n + r)] += term;
        magnitude[static_cast<size_t>(i * c.n + r)] += std::fabs(term);
      }
  ThreadPool pool(3);
  for (Q4FloatKernel kernel : {Q4FloatKernel::kAvx2, Q4FloatKernel::kAvx512}) {
    if (!q4_float_kernel_supported(kernel)) continue;
    std::vector<float> y(static_cast<size_t>(c.m * c.n), NAN);
    q4_float_gemv(pool, f.w, f.a.data(), c.m, y.data(), kernel);
    for (size_t i = 0; i < y.size(); ++i)
      ASSERT_NEAR(y[i], want[i], 1e-5 * magnitude[i] + 1e-6) << "at " << i << " (" << kernel_name(kernel) << ")";
  }
}

TEST_P(Q4FloatGemv, DequantisesExactly) {
  if (!q4_float_supported()) GTEST_SKIP() << "needs AVX2 and FMA";
  const Case c = GetParam();
  const Fixture f(c);
  const int64_t row0 = c.n / 3, rows = c.n - row0;
  for (Q4FloatKernel kernel : {Q4FloatKernel::kAvx2, Q4FloatKernel::kAvx512}) {
    if (!q4_float_kernel_supported(kernel)) continue;
    std::vector<float> out(static_cast<size_t>(rows * c.k), NAN);
    q4_float_dequantize(f.w, row0, rows, out.data(), kernel);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t kk = 0; kk < c.k; ++kk)
        ASSERT_EQ(out[static_cast<size_t>(r * c.k + kk)], f.dequantized(row0 + r, kk))
            << "row " << row0 + r << ", k " << kk << " (" << kernel_name(kernel) << ")";
  }
}

TEST(Q4FloatGemvErrors, RejectsLayoutsTheKernelsDoNotTake) {
  if (!q4_float_supported()) GTEST_SKIP() << "needs AVX2 and FMA";
  std::vector<uint8_t> codes(64);
  std::vector<float> scales(8), a(16 * 8), y(16);
  ThreadPool pool(1);
  const Q4FloatWeights odd_block{codes.data(), scales.data(), nullptr, nullptr, 2, 64, 16};
  EXPECT_THROW(q4_float_gemv(pool, odd_block, a.data(), 1, y.data()), std::exception);
  const Q4FloatWeights w{codes.data(), scales.data(), nullptr, nullptr, 2, 64, 32};
  EXPECT_THROW(q4_float_gemv(pool, w, a.data(), kQ4FloatGemvMaxRows + 1, y.data()), std::exception);
  EXPECT_THROW(q4_float_dequantize(w, 1, 2, y.data()), std::exception);
}

INSTANTIATE_TEST_SUITE_P(Shapes, Q4FloatGemv,
                         ::testing::Values(Case{1, 64, 96, 32, ZeroPoints::kNone},     // whole tiles
                                           Case{1, 37, 160, 32, ZeroPoints::kPacked},  // 5 blocks, ragged N
                                           Case{2, 6, 192, 64, ZeroPoints::kFloat},
                                           Case{3, 9, 384, 128, ZeroPoints::kPacked},
                                           Case{4, 13, 224, 32, ZeroPoints::kNone},
                                           Case{5, 7, 96, 32, ZeroPoints::kFloat},     // tiles of 4 and 1 rows
                                           Case{8, 21, 320, 64, ZeroPoints::kPacked},
                                           Case{7, 3, 4096, 32, ZeroPoints::kNone}),
                         [](const auto& info) {
                           const Case& c = info.param;
                           return "m" + std::to_string(c.m) + "_n" + std::to_string(c.n) + "_k" + std::to_string(c.k) +
                                  "_block" + std::to_string(c.block) + "_" + zero_points_name(c.zero_points);
                         });

}  // namespace
}  // namespace onnxgen
