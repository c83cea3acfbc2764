// The decode GEMV against a double-precision product: B stored [k][n] (narrow B split along k,
// wide B in column panels, rows of partial sums 4 KiB apart padded, column tails off the 16-lane vectors, k not a multiple of 4) and
// stored [n][k], for one row up to the most rows it takes.
#include "runtime/ops/cpu/gemv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace onnxgen {
namespace {

struct Case {
  int64_t m, n, k;
  bool trans_b;
};

// gtest would print the parameter's bytes, padding included (valgrind: uninitialised reads).
void PrintTo(const Case& c, std::ostream* os) {
  *os << "m" << c.m << " n" << c.n << " k" << c.k << (c.trans_b ? " B transposed" : "");
}

class GemvF32 : public ::testing::TestWithParam<Case> {};

TEST_P(GemvF32, MatchesDoubleProduct) {
  const Case c = GetParam();
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  std::vector<float> a(static_cast<size_t>(c.m * c.k)), b(static_cast<size_t>(c.k * c.n));
  for (auto& v : a) v = value(rng);
  for (auto& v : b) v = value(rng);
  std::vector<float> y(static_cast<size_t>(c.m * c.n), -7.0f);
  ThreadPool pool(2);
  gemv_f32(pool, c.m, c.n, c.k, c.trans_b, a.data(), b.data(), y.data());
  for (int64_t r = 0; r < c.m; ++r)
    for (int64_t j = 0; j < c.n; ++j) {
      double want = 0;
      for (int64_t kk = 0; kk < c.k; ++kk)
        want += static_cast<double>(a[static_cast<size_t>(r * c.k + kk)]) *
                b[static_cast<size_t>(c.trans_b ? j * c.k + kk : kk * c.n + j)];
      ASSERT_NEAR(y[static_cast<size_t>(r * c.n + j)], want, 1e-4 * (1 + std::sqrt(static_cast<double>(c.k))))
          << "row " << r << " column " << j;
    }
}

INSTANTIATE_TEST_SUITE_P(Shapes, GemvF32,
                         ::testing::Values(Case{1, 576, 576, false},     // narrow B, split along k
                                           Case{3, 100, 67, false},      // column tail, k tail
                                           Case{8, 1536, 576, false},    // whole rows, prefetched
                                           Case{2, 4096, 200, false},    // partial sums' rows padded
                                           Case{8, 20000, 37, false},    // wide B: column panels
                                           Case{kGemvF32MaxRows, 13001, 130, false},
                                           Case{1, 70000, 9, false},
                                           Case{5, 33, 70, true},        // row tiles of 4 and 1, k tail
                                           Case{kGemvF32MaxRows, 300, 576, true}),
                         [](const auto& info) {
                           const Case& c = info.param;
                           return "m" + std::to_string(c.m) + "_n" + std::to_string(c.n) + "_k" + std::to_string(c.k) +
                                  (c.trans_b ? "_bt" : "");
                         });

}  // namespace
}  // namespace onnxgen
