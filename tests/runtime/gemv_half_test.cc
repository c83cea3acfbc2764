// Half-typed products through batched_gemm_any against the float32 product of the same (widened)
// values: decode-sized rows that stream the half B as stored (narrow B split along k, wide B in
// column panels, column and k tails, B stored [n][k], A's batch folded into rows) and a
// prefill-sized product that still widens B first.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "runtime/ops/cpu/batched_gemm.h"
#include "runtime/ops/cpu/gemv_half.h"

namespace onnxgen {
namespace {

struct Case {
  int64_t batch, m, n, k;
  bool trans_b;
};

template <class T>
void check_against_float(const Case& c, double rounding) {
  GemmProblem p;
  p.batch_a = p.batch_c = Shape{c.batch};
  p.batch_b = Shape{1};
  p.m = c.m;
  p.n = c.n;
  p.k = c.k;
  p.trans_b = c.trans_b;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  std::vector<T> a(static_cast<size_t>(c.batch * c.m * c.k)), b(static_cast<size_t>(c.k * c.n));
  std::vector<float> wide_a, wide_b;
  for (auto& v : a) wide_a.push_back(static_cast<float>(v = T(value(rng))));
  for (auto& v : b) wide_b.push_back(static_cast<float>(v = T(value(rng))));
  std::vector<float> want(static_cast<size_t>(c.batch * c.m * c.n));
  batched_gemm(p, wide_a.data(), wide_b.data(), want.data());
  std::vector<T> got(want.size(), T(-7.0f));
  ThreadPool pool(2);
  batched_gemm_any<T>(p, a.data(), b.data(), got.data(), pool);
  const double summation = 1e-5 * std::sqrt(static_cast<double>(c.k));
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(static_cast<float>(got[i]), want[i], rounding * std::abs(want[i]) + summation)
        << "row " << static_cast<int64_t>(i) / c.n << " column " << static_cast<int64_t>(i) % c.n;
}

class GemvHalf : public ::testing::TestWithParam<Case> {};

// Rounding the float32 sum to the half type is off by at most half an ulp.
TEST_P(GemvHalf, Float16MatchesFloat32) { check_against_float<Float16>(GetParam(), 1.0 / 2048); }
TEST_P(GemvHalf, BFloat16MatchesFloat32) { check_against_float<BFloat16>(GetParam(), 1.0 / 256); }

INSTANTIATE_TEST_SUITE_P(Shapes, GemvHalf,
                         ::testing::Values(Case{1, 1, 577, 899, false},   // narrow B split along k, tails
                                           Case{1, 3, 101, 67, false},
                                           Case{1, kGemvHalfMaxRows, 6501, 37, false},  // column panels
                                           Case{1, 1, 100003, 5, false},
                                           Case{1, 1, 333, 131, true},   // B stored [n][k]
                                           Case{1, 3, 77, 67, true},
                                           Case{1, kGemvHalfMaxRows, 301, 577, true},
                                           Case{2, 3, 95, 41, false},    // A's batch folded into rows
                                           Case{1, 1, 45, 0, false},     // an empty sum
                                           Case{1, 40, 33, 65, false}),  // prefill: B widened first
                         [](const auto& info) {
                           const Case& c = info.param;
                           return "b" + std::to_string(c.batch) + "_m" + std::to_string(c.m) + "_n" +
                                  std::to_string(c.n) + "_k" + std::to_string(c.k) + (c.trans_b ? "_bt" : "");
                         });

}  // namespace
}  // namespace onnxgen
