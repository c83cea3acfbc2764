// gemv_bf16 against a double-precision sum of the same bfloat16 products, for every row count it
// takes and shapes that leave each tail: K below, at and past whole 32- and 64-value chunks, N
// below and past the four-row blocks of the weights.
#include "runtime/ops/cpu/gemv_bf16.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace onnxgen {
namespace {

TEST(GemvBf16, MatchesTheProductsOfItsOperandsInEveryTail) {
  if (!gemv_bf16_supported()) GTEST_SKIP() << "this CPU has no AVX512_BF16";
  ThreadPool pool(2);
  for (int64_t k : {1, 31, 32, 64, 100, 576})
    for (int64_t n : {1, 3, 4, 7, 42})
      for (int64_t m = 1; m <= kGemvBf16MaxRows; ++m) {
        std::vector<BFloat16> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(n * k));
        for (size_t i = 0; i < a.size(); ++i) a[i] = BFloat16(std::sin(static_cast<float>(i) * 0.7f) * 2.0f);
        for (size_t i = 0; i < b.size(); ++i) b[i] = BFloat16(std::cos(static_cast<float>(i) * 0.3f));
        std::vector<float> c(static_cast<size_t>(m * n), -1.0f);
        gemv_bf16(pool, m, n, k, a.data(), b.data(), c.data());
        for (int64_t r = 0; r < m; ++r)
          for (int64_t j = 0; j < n; ++j) {
            double want = 0, scale = 0;
            for (int64_t t = 0; t < k; ++t) {
              const double term = static_cast<double>(static_cast<float>(a[static_cast<size_t>(r * k + t)])) *
                                  static_cast<float>(b[static_cast<size_t>(j * k + t)]);
              want += term;
              scale += std::abs(term);
            }
            ASSERT_NEAR(c[static_cast<size_t>(r * n + j)], want, 1e-6 * scale + 1e-6)
                << "m " << m << " n " << n << " k " << k << " at " << r << "," << j;
          }
      }
}

TEST(GemvBf16, RefusesMoreRowsThanItTiles) {
  if (!gemv_bf16_supported()) GTEST_SKIP() << "this CPU has no AVX512_BF16";
  ThreadPool pool(1);
  std::vector<BFloat16> a(static_cast<size_t>((kGemvBf16MaxRows + 1) * 4)), b(8);
  std::vector<float> c(static_cast<size_t>((kGemvBf16MaxRows + 1) * 2));
  EXPECT_THROW(gemv_bf16(pool, kGemvBf16MaxRows + 1, 2, 4, a.data(), b.data(), c.data()), std::exception);
}

}  // namespace
}  // namespace onnxgen
