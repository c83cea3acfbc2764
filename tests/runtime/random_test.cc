#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(RandomNormal, ShapeDtypeAndSeededRepeatability) {
  std::map<std::string, Attribute> attrs{{"shape", ints_attribute({2, 3})}, {"seed", float_attribute(7)}, {"dtype", int_attribute(11)}};
  auto a = run_node("RandomNormal", {}, attrs);
  auto b = run_node("RandomNormal", {}, attrs);
  EXPECT_EQ(a[0].describe(), "float64[2,3]");
  EXPECT_EQ(values_of<double>(a[0]), values_of<double>(b[0]));
}

TEST(RandomUniformLike, StaysInRangeWithTheInputsShape) {
  auto out = run_node("RandomUniformLike", {make_tensor<float>({100}, std::vector<float>(100, 0))},
                      {{"low", float_attribute(2)}, {"high", float_attribute(3)}});
  EXPECT_EQ(out[0].describe(), "float32[100]");
  for (float v : values_of<float>(out[0])) EXPECT_TRUE(v >= 2 && v <= 3);
}

TEST(Bernoulli, CertainProbabilitiesAreDeterministic) {
  auto out = run_node("Bernoulli", {make_tensor<float>({4}, {0, 1, 0, 1})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{0, 1, 0, 1}));
}

TEST(Multinomial, DominantClassIsAlwaysDrawn) {
  auto out = run_node("Multinomial", {make_tensor<float>({1, 2}, {-1000, 0})}, {{"sample_size", int_attribute(5)}});
  EXPECT_EQ(values_of<int32_t>(out[0]), (std::vector<int32_t>{1, 1, 1, 1, 1}));
}

TEST(Bernoulli, RejectsProbabilitiesAboveOne) {
  EXPECT_THROW(run_node("Bernoulli", {make_tensor<float>({1}, {2})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
