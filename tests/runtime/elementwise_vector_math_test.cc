#include "runtime/ops/cpu/vector_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace onnxgen {
namespace {

// Distance in representable floats between `got` and the float nearest to `want`.
int64_t ulps(float got, double want) {
  const float w = static_cast<float>(want);
  if (std::isnan(got) && std::isnan(w)) return 0;
  if (got == w) return 0;
  auto ordered = [](float f) {
    int32_t i;
    std::memcpy(&i, &f, sizeof i);
    return i < 0 ? static_cast<int64_t>(INT32_MIN) - i : static_cast<int64_t>(i);
  };
  return std::llabs(ordered(got) - ordered(w));
}

struct Case {
  const char* name;
  float (*approx)(float);
  double (*exact)(double);
  float lo, hi;
  int64_t max_ulps;
};

class VectorMath : public ::testing::TestWithParam<Case> {};

TEST_P(VectorMath, StaysWithinAFewUlpOverItsRange) {
  const Case& c = GetParam();
  int64_t worst = 0;
  float worst_at = 0;
  constexpr int kSteps = 400000;
  for (int i = 0; i <= kSteps; ++i) {
    const float x = c.lo + (c.hi - c.lo) * static_cast<float>(i) / kSteps;
    const int64_t u = ulps(c.approx(x), c.exact(x));
    if (u > worst) worst = u, worst_at = x;
  }
  EXPECT_LE(worst, c.max_ulps) << c.name << " at " << worst_at;
}

INSTANTIATE_TEST_SUITE_P(
    Functions, VectorMath,
    ::testing::Values(Case{"exp", exp_approx, [](double x) { return std::exp(x); }, -104, 89, 2},
                      Case{"log", log_approx, [](double x) { return std::log(x); }, 1e-6f, 1e6f, 2},
                      Case{"tanh", tanh_approx, [](double x) { return std::tanh(x); }, -12, 12, 2},
                      Case{"erf", erf_approx, [](double x) { return std::erf(x); }, -5, 5, 3},
                      Case{"sigmoid", sigmoid_approx, [](double x) { return 1 / (1 + std::exp(-x)); }, -90, 90, 4},
                      Case{"softplus", softplus_approx, [](double x) { return std::log1p(std::exp(x)); }, -80, 80, 6}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(VectorMath, LogCoversSubnormalsAndHugeValues) {
  for (float x : {1e-45f, 3e-40f, 1.17e-38f, 3e38f}) EXPECT_LE(ulps(log_approx(x), std::log(double{x})), 2) << x;
}

TEST(VectorMath, SpecialValuesFollowIeee) {
  const float inf = INFINITY;
  EXPECT_EQ(exp_approx(inf), inf);
  EXPECT_EQ(exp_approx(-inf), 0.0f);
  EXPECT_EQ(exp_approx(100.0f), inf);
  EXPECT_TRUE(std::isnan(exp_approx(NAN)));
  EXPECT_EQ(log_approx(0.0f), -inf);
  EXPECT_EQ(log_approx(inf), inf);
  EXPECT_TRUE(std::isnan(log_approx(-1.0f)));
  EXPECT_TRUE(std::isnan(log_approx(NAN)));
  EXPECT_EQ(tanh_approx(inf), 1.0f);
  EXPECT_EQ(tanh_approx(-inf), -1.0f);
  EXPECT_TRUE(std::isnan(tanh_approx(NAN)));
  EXPECT_EQ(erf_approx(inf), 1.0f);
  EXPECT_EQ(erf_approx(-inf), -1.0f);
  EXPECT_TRUE(std::isnan(erf_approx(NAN)));
  EXPECT_EQ(sigmoid_approx(-inf), 0.0f);
  EXPECT_EQ(sigmoid_approx(inf), 1.0f);
}

// The array forms may contract to FMA in their AVX2/AVX-512 clones, so they agree to an ulp or two.
TEST(VectorMath, ArrayFormsMatchScalarFormsInPlace) {
  std::vector<float> x(1003), y(1003);
  for (size_t i = 0; i < x.size(); ++i) x[i] = -8.0f + 0.016f * static_cast<float>(i);
  y = x;
  gelu_approx(y.data(), y.data(), static_cast<int64_t>(y.size()));
  // Gelu's negative tail is 1 + erf cancelling, accurate in absolute rather than relative terms.
  for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(y[i], gelu_approx(x[i]), 1e-7f * (1 + std::fabs(x[i]))) << i;
  y = x;
  exp_inplace(y.data(), static_cast<int64_t>(y.size()));
  for (size_t i = 0; i < x.size(); ++i) ASSERT_LE(ulps(y[i], exp_approx(x[i])), 2) << i;
}

TEST(VectorMath, ExpShiftedSumReturnsTheSumOfItsOutputs) {
  std::vector<float> x(37), y(37);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i) * 0.25f;
  const float sum = exp_shifted_sum(x.data(), 9.0f, y.data(), static_cast<int64_t>(x.size()));
  double expected = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(y[i], std::exp(x[i] - 9.0), 1e-6 * std::exp(x[i] - 9.0));
    expected += std::exp(x[i] - 9.0);
  }
  EXPECT_NEAR(sum, expected, 1e-5 * expected);
}

TEST(VectorMath, GeluFormsAgreeWithTheirDefinitions) {
  for (float x : {-3.0f, -0.5f, 0.0f, 0.7f, 2.5f}) {
    EXPECT_NEAR(gelu_approx(x), 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))), 1e-6);
    EXPECT_NEAR(gelu_tanh_approx(x), 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x))), 1e-6);
  }
}

}  // namespace
}  // namespace onnxgen
