#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

std::vector<float> run_float(const std::string& op, const std::vector<float>& x,
                             const std::map<std::string, Attribute>& attrs = {}, int64_t opset = 17,
                             const std::string& domain = "") {
  auto out = run_node(op, {make_tensor<float>({static_cast<int64_t>(x.size())}, x)}, attrs, 1, opset, domain);
  return values_of<float>(out[0]);
}

void expect_near_all(const std::vector<float>& got, const std::vector<double>& want, double tol = 1e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol * (1 + std::fabs(want[i]))) << i;
}

TEST(Unary, TranscendentalsMatchLibm) {
  const std::vector<float> x{-2.5f, -0.3f, 0.0f, 0.4f, 3.0f};
  std::vector<double> exp_v, tanh_v, erf_v, sig_v;
  for (float v : x) {
    exp_v.push_back(std::exp(v));
    tanh_v.push_back(std::tanh(v));
    erf_v.push_back(std::erf(v));
    sig_v.push_back(1 / (1 + std::exp(-v)));
  }
  expect_near_all(run_float("Exp", x), exp_v);
  expect_near_all(run_float("Tanh", x), tanh_v);
  expect_near_all(run_float("Erf", x), erf_v);
  expect_near_all(run_float("Sigmoid", x), sig_v);
  expect_near_all(run_float("Log", {0.5f, 1.0f, 10.0f}), {std::log(0.5), 0.0, std::log(10.0)});
}

TEST(Unary, LargeInputsSplitAcrossThreadsGiveTheSameValues) {
  std::vector<float> x(100000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = -5.0f + 1e-4f * static_cast<float>(i);
  const auto y = run_float("Sigmoid", x);
  for (size_t i = 0; i < x.size(); i += 997) EXPECT_NEAR(y[i], 1 / (1 + std::exp(-double{x[i]})), 1e-6) << i;
}

TEST(Unary, HalfTypesComputeInFloat) {
  auto out = run_node("Sqrt", {make_tensor<Float16>({3}, {Float16(4.0f), Float16(2.0f), Float16(0.25f)})});
  ASSERT_EQ(out[0].dtype(), DataType::kFloat16);
  EXPECT_EQ(static_cast<float>(out[0].data<Float16>()[0]), 2.0f);
  EXPECT_NEAR(static_cast<float>(out[0].data<Float16>()[1]), 1.41421f, 1e-3);
  EXPECT_EQ(static_cast<float>(out[0].data<Float16>()[2]), 0.5f);
  auto bf = run_node("Neg", {make_tensor<BFloat16>({1}, {BFloat16(1.5f)})});
  EXPECT_EQ(static_cast<float>(bf[0].data<BFloat16>()[0]), -1.5f);
}

TEST(Unary, IntegerAbsNegAndSignWrapLikeNumpy) {
  auto abs = run_node("Abs", {make_tensor<int8_t>({3}, {-128, -5, 7})});
  EXPECT_EQ(values_of<int8_t>(abs[0]), (std::vector<int8_t>{-128, 5, 7}));
  auto neg = run_node("Neg", {make_tensor<int32_t>({2}, {INT32_MIN, 3})});
  EXPECT_EQ(values_of<int32_t>(neg[0]), (std::vector<int32_t>{INT32_MIN, -3}));
  auto sign = run_node("Sign", {make_tensor<int64_t>({3}, {-9, 0, 4})});
  EXPECT_EQ(values_of<int64_t>(sign[0]), (std::vector<int64_t>{-1, 0, 1}));
}

TEST(Unary, RoundHalvesToEven) {
  EXPECT_EQ(run_float("Round", {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f}), (std::vector<float>{0, 2, 2, -0.0f, -2, 2}));
}

TEST(Unary, PredicatesProduceBool) {
  const std::vector<float> x{1.0f, NAN, INFINITY, -INFINITY};
  auto nan = run_node("IsNaN", {make_tensor<float>({4}, x)});
  EXPECT_EQ(values_of<bool>(nan[0]), (std::vector<bool>{false, true, false, false}));
  auto inf = run_node("IsInf", {make_tensor<float>({4}, x)}, {{"detect_positive", int_attribute(0)}});
  EXPECT_EQ(values_of<bool>(inf[0]), (std::vector<bool>{false, false, false, true}));
  auto inv = run_node("Not", {make_tensor<bool>({2}, {true, false})});
  EXPECT_EQ(values_of<bool>(inv[0]), (std::vector<bool>{false, true}));
}

TEST(Unary, WrongElementTypeIsRejected) {
  EXPECT_THROW(run_node("Exp", {make_tensor<int32_t>({1}, {1})}), Error);
  EXPECT_THROW(run_node("Not", {make_tensor<float>({1}, {1})}), Error);
}

TEST(Activations, ParameterisedFormsUseTheirAttributes) {
  EXPECT_EQ(run_float("LeakyRelu", {-2, 3}, {{"alpha", float_attribute(0.5f)}}), (std::vector<float>{-1, 3}));
  EXPECT_EQ(run_float("Relu", {-2, 3}), (std::vector<float>{0, 3}));
  EXPECT_EQ(run_float("ThresholdedRelu", {0.5f, 1.5f}, {{"alpha", float_attribute(1.0f)}}), (std::vector<float>{0, 1.5f}));
  EXPECT_EQ(run_float("HardSigmoid", {-10, 0, 10}), (std::vector<float>{0, 0.5f, 1}));
  EXPECT_EQ(run_float("Shrink", {-2, 0.2f, 2}, {{"lambd", float_attribute(1)}, {"bias", float_attribute(0.5f)}}),
            (std::vector<float>{-1.5f, 0, 1.5f}));
  expect_near_all(run_float("Elu", {-1, 2}, {{"alpha", float_attribute(2)}}), {2 * (std::exp(-1.0) - 1), 2});
  expect_near_all(run_float("HardSwish", {-4, 1, 4}), {0, 1 * (1.0 / 6 + 0.5), 4});
  expect_near_all(run_float("Celu", {-1, 1}, {{"alpha", float_attribute(2)}}), {2 * (std::exp(-0.5) - 1), 1});
}

TEST(Activations, GeluVariants) {
  const std::vector<float> x{-1.5f, 0.3f, 2.0f};
  std::vector<double> exact, tanh_form, quick;
  for (double v : x) {
    exact.push_back(0.5 * v * (1 + std::erf(v / std::sqrt(2.0))));
    tanh_form.push_back(0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))));
    quick.push_back(v / (1 + std::exp(-1.702 * v)));
  }
  expect_near_all(run_float("Gelu", x, {}, 20), exact);
  expect_near_all(run_float("Gelu", x, {{"approximate", string_attribute("tanh")}}, 20), tanh_form);
  expect_near_all(run_float("Gelu", x, {}, 1, "com.microsoft"), exact);
  expect_near_all(run_float("QuickGelu", x, {}, 1, "com.microsoft"), quick);
  EXPECT_THROW(run_float("Gelu", x, {{"approximate", string_attribute("cubic")}}, 20), Error);
}

TEST(Activations, FastGeluAddsItsBias) {
  auto out = run_node("FastGelu", {make_tensor<float>({2, 2}, {0, 1, 2, 3}), make_tensor<float>({2}, {1, -1})}, {}, 1,
                      17, "com.microsoft");
  const std::vector<double> pre{1, 0, 3, 2};
  std::vector<double> want;
  for (double v : pre) want.push_back(0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))));
  expect_near_all(values_of<float>(out[0]), want);
  EXPECT_THROW(run_node("BiasGelu", {make_tensor<float>({2, 2}, {0, 1, 2, 3}), make_tensor<float>({3}, {1, 1, 1})}, {},
                        1, 17, "com.microsoft"),
               Error);
}

TEST(Activations, PReluBroadcastsSlopeAndRejectsWiderSlopes) {
  Tensor x = make_tensor<float>({2, 2}, {-1, 2, -3, 4});
  auto out = run_node("PRelu", {x, make_tensor<float>({2}, {0.1f, 0.2f})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{-0.1f, 2, -0.3f, 4}));
  EXPECT_THROW(run_node("PRelu", {x, make_tensor<float>({3, 2, 2}, std::vector<float>(12, 1))}), Error);
}

TEST(Activations, LegacyPReluSlopeIsPerChannel) {
  Tensor x = make_tensor<float>({1, 2, 3}, {-1, -1, -1, -1, -1, 5});
  auto out = run_node("PRelu", {x, make_tensor<float>({2}, {0.5f, 2})}, {}, 1, 6);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{-0.5f, -0.5f, -0.5f, -2, -2, 5}));
}

}  // namespace
}  // namespace onnxgen::testing
