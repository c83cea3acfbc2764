#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

void expect_near(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << "at " << i;
}

TEST(HannWindow, PeriodicAndSymmetric) {
  expect_near(values_of<float>(run_node("HannWindow", {Tensor::scalar<int64_t>(4)})[0]), {0, 0.5f, 1, 0.5f});
  expect_near(values_of<float>(run_node("HannWindow", {Tensor::scalar<int64_t>(3)}, {{"periodic", int_attribute(0)}})[0]),
              {0, 1, 0});
}

TEST(HammingAndBlackman, EndpointsMatchTheirCoefficients) {
  auto hamming = values_of<float>(run_node("HammingWindow", {Tensor::scalar<int64_t>(4)})[0]);
  EXPECT_NEAR(hamming[0], 4.0 / 46, 1e-6);
  auto blackman = run_node("BlackmanWindow", {Tensor::scalar<int64_t>(4)}, {{"output_datatype", int_attribute(11)}});
  EXPECT_EQ(blackman[0].describe(), "float64[4]");
  EXPECT_NEAR(values_of<double>(blackman[0])[2], 1.0, 1e-12);
}

TEST(MelWeightMatrix, ShapeIsSpectrumByMels) {
  auto out = run_node("MelWeightMatrix", {Tensor::scalar<int64_t>(4), Tensor::scalar<int64_t>(32), Tensor::scalar<int64_t>(16000),
                                          Tensor::scalar<float>(0), Tensor::scalar<float>(8000)});
  EXPECT_EQ(out[0].describe(), "float32[17,4]");
  for (float v : values_of<float>(out[0])) EXPECT_TRUE(v >= 0 && v <= 1);
}

TEST(HannWindow, RejectsANonScalarSize) {
  EXPECT_THROW(run_node("HannWindow", {make_tensor<int64_t>({2}, {3, 4})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
