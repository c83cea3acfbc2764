// The int8 GEMM behind MatMulInteger against int64 sums of (a - za) * (b - zb): uint8 and int8 on
// either side, zero points absent, per tensor and per column, K not a multiple of 4, N not a
// multiple of the 16-column groups, every tile height of A rows, with each instruction set the CPU
// has. The sums are exact, so the outputs must be equal.
#include "runtime/ops/cpu/int8_gemm.h"

#include <gtest/gtest.h>

#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace onnxgen {
namespace {

enum class ZeroPoints { kNone, kTensor, kColumn };

struct Case {
  int64_t m, k, n;
  bool a_signed, b_signed;
  ZeroPoints b_zero_points;
};

// gtest would print the bytes of a Case, padding included (valgrind: uninitialised reads).
void PrintTo(const Case& c, std::ostream* os) {
  *os << "m" << c.m << " k" << c.k << " n" << c.n << (c.a_signed ? " s8" : " u8") << (c.b_signed ? "s8 " : "u8 ")
      << static_cast<int>(c.b_zero_points);
}

std::vector<uint8_t> random_bytes(size_t n, std::mt19937& rng) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<uint8_t> out(n);
  for (auto& v : out) v = static_cast<uint8_t>(byte(rng));
  return out;
}

int32_t as_value(uint8_t raw, bool is_signed) { return is_signed ? static_cast<int8_t>(raw) : raw; }

class Int8Gemm : public ::testing::TestWithParam<Case> {};

TEST_P(Int8Gemm, MatchesExactSums) {
  if (!int8_gemm_supported()) GTEST_SKIP() << "needs AVX2";
  const Case c = GetParam();
  std::mt19937 rng(5);
  const std::vector<uint8_t> a = random_bytes(static_cast<size_t>(c.m * c.k), rng);
  const std::vector<uint8_t> b = random_bytes(static_cast<size_t>(c.k * c.n), rng);
  const std::vector<uint8_t> b_zero = random_bytes(static_cast<size_t>(c.n), rng);
  const std::vector<uint8_t> a_zero = random_bytes(1, rng);
  const bool per_column = c.b_zero_points == ZeroPoints::kColumn;
  const uint8_t* zp = c.b_zero_points == ZeroPoints::kNone ? nullptr : b_zero.data();

  std::vector<int32_t> want(static_cast<size_t>(c.m * c.n));
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < c.n; ++j) {
      const int64_t zb = zp ? as_value(zp[per_column ? j : 0], c.b_signed) : 0;
      int64_t sum = 0;
      for (int64_t kk = 0; kk < c.k; ++kk)
        sum += (as_value(a[static_cast<size_t>(i * c.k + kk)], c.a_signed) - as_value(a_zero[0], c.a_signed)) *
               (as_value(b[static_cast<size_t>(kk * c.n + j)], c.b_signed) - zb);
      want[static_cast<size_t>(i * c.n + j)] = static_cast<int32_t>(sum);
    }

  ThreadPool pool(3);
  const Int8PackedB packed = int8_pack_b(pool, {b.data(), c.b_signed}, c.k, c.n, zp, per_column);
  for (Int8Kernel kernel : {Int8Kernel::kAvx2, Int8Kernel::kAvx512Vnni}) {
    if (!int8_kernel_supported(kernel)) continue;
    std::vector<int32_t> y(want.size(), -1);
    int8_gemm(pool, packed, {a.data(), c.a_signed}, c.m, as_value(a_zero[0], c.a_signed), y.data(), kernel);
    for (size_t i = 0; i < y.size(); ++i)
      ASSERT_EQ(y[i], want[i]) << "at " << i << (kernel == Int8Kernel::kAvx2 ? " (AVX2)" : " (AVX-512 VNNI)");
  }
}

const char* zero_points_name(ZeroPoints z) {
  return z == ZeroPoints::kNone ? "nozp" : z == ZeroPoints::kTensor ? "tensorzp" : "columnzp";
}

INSTANTIATE_TEST_SUITE_P(Shapes, Int8Gemm,
                         ::testing::Values(Case{1, 64, 32, false, true, ZeroPoints::kNone},  // whole groups and quads
                                           Case{1, 37, 21, false, true, ZeroPoints::kTensor},
                                           Case{3, 130, 50, true, true, ZeroPoints::kColumn},
                                           Case{8, 96, 17, false, false, ZeroPoints::kTensor},
                                           Case{9, 45, 40, true, false, ZeroPoints::kColumn},  // tiles of 8 and 1
                                           Case{19, 200, 33, false, true, ZeroPoints::kColumn},
                                           Case{2, 5000, 3, false, true, ZeroPoints::kTensor}),  // a long K
                         [](const auto& info) {
                           const Case& c = info.param;
                           return "m" + std::to_string(c.m) + "_k" + std::to_string(c.k) + "_n" + std::to_string(c.n) +
                                  (c.a_signed ? "_s8" : "_u8") + (c.b_signed ? "s8_" : "u8_") +
                                  zero_points_name(c.b_zero_points);
                         });

}  // namespace
}  // namespace onnxgen
