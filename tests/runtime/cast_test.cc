#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "runtime/ops/cpu/half_convert.h"
#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Tensor cast(const Tensor& x, DataType to, int64_t opset = 17) {
  return run_node("Cast", {x}, {{"to", int_attribute(static_cast<int64_t>(to))}}, 1, opset)[0];
}

TEST(Cast, FloatToIntTruncatesSaturatesAndZeroesNaN) {
  Tensor x = make_tensor<float>({5}, {2.7f, -2.7f, 1e20f, -1e20f, NAN});
  EXPECT_EQ(values_of<int32_t>(cast(x, DataType::kInt32)), (std::vector<int32_t>{2, -2, INT32_MAX, INT32_MIN, 0}));
  EXPECT_EQ(values_of<uint8_t>(cast(make_tensor<float>({2}, {300, -3}), DataType::kUInt8)), (std::vector<uint8_t>{255, 0}));
}

TEST(Cast, HalfTypesRoundToNearestEven) {
  Tensor x = make_tensor<float>({3}, {1.0f, 1.0f + 1.0f / 2048, 65520.0f});
  Tensor h = cast(x, DataType::kFloat16);
  ASSERT_EQ(h.dtype(), DataType::kFloat16);
  EXPECT_EQ(h.data<Float16>()[0].bits, 0x3c00);
  EXPECT_EQ(h.data<Float16>()[1].bits, 0x3c00);  // halfway, rounds to even
  EXPECT_TRUE(std::isinf(static_cast<float>(h.data<Float16>()[2])));
  Tensor back = cast(cast(make_tensor<float>({1}, {3.140625f}), DataType::kBFloat16), DataType::kFloat);
  EXPECT_EQ(values_of<float>(back)[0], 3.140625f);
}

TEST(Cast, BoolAndIntegers) {
  EXPECT_EQ(values_of<bool>(cast(make_tensor<float>({3}, {0, -0.5f, NAN}), DataType::kBool)),
            (std::vector<bool>{false, true, true}));
  EXPECT_EQ(values_of<int64_t>(cast(make_tensor<bool>({2}, {true, false}), DataType::kInt64)), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(values_of<int8_t>(cast(make_tensor<int32_t>({1}, {300}), DataType::kInt8)), (std::vector<int8_t>{44}));
}

TEST(Cast, StringsParseAndPrintShortestRoundTrip) {
  Tensor s = make_tensor<std::string>({5}, {"0.47892547", "NaN", "+INF", "-INF", " 12 "});
  auto f = values_of<float>(cast(s, DataType::kFloat));
  EXPECT_EQ(f[0], 0.47892547f);
  EXPECT_TRUE(std::isnan(f[1]));
  EXPECT_EQ(f[2], INFINITY);
  EXPECT_EQ(f[3], -INFINITY);
  EXPECT_EQ(f[4], 12.0f);
  EXPECT_EQ(values_of<std::string>(cast(make_tensor<float>({3}, {0.039187793f, 1.5f, -2}), DataType::kString)),
            (std::vector<std::string>{"0.039187793", "1.5", "-2"}));
  EXPECT_EQ(values_of<int64_t>(cast(make_tensor<std::string>({2}, {"-42", "7"}), DataType::kInt64)),
            (std::vector<int64_t>{-42, 7}));
  EXPECT_THROW(cast(make_tensor<std::string>({1}, {"abc"}), DataType::kFloat), Error);
}

TEST(Cast, SameTypeSharesTheBuffer) {
  Tensor x = make_tensor<float>({2}, {1, 2});
  EXPECT_EQ(cast(x, DataType::kFloat).raw(), x.raw());
}

TEST(Cast, OpsetOneNamesTheTypeAsAString) {
  auto out = run_node("Cast", {make_tensor<float>({1}, {2.5f})}, {{"to", string_attribute("DOUBLE")}}, 1, 1);
  EXPECT_EQ(values_of<double>(out[0]), (std::vector<double>{2.5}));
}

TEST(Cast, UnsupportedTargetIsRejected) {
  EXPECT_THROW(cast(make_tensor<float>({1}, {1}), static_cast<DataType>(17)), Error);  // float8e4m3fn
  EXPECT_THROW(cast(make_tensor<float>({1}, {1}), DataType::kComplex64), Error);
}

// The kernels' branch-free conversions must agree bit for bit with half.h's reference ones.
TEST(HalfConvert, MatchesTheReferenceConversions) {
  for (uint32_t h = 0; h < 65536; ++h) {
    Float16 v;
    v.bits = static_cast<uint16_t>(h);
    const float got = half_to_float(v), want = Float16::to_float(v.bits);
    ASSERT_TRUE(std::memcmp(&got, &want, sizeof got) == 0) << std::hex << h;
  }
  for (uint64_t i = 0; i < (uint64_t{1} << 32); i += 4099) {
    const auto bits = static_cast<uint32_t>(i);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    ASSERT_EQ(float_to_half(f).bits, Float16::from_float(f)) << std::hex << bits;
    ASSERT_EQ(float_to_bfloat16(f).bits, BFloat16::from_float(f)) << std::hex << bits;
  }
  for (float f : {65519.0f, 65520.0f, 5.9604645e-08f, 2.9802322e-08f, 2.9802326e-08f, -0.0f})
    EXPECT_EQ(float_to_half(f).bits, Float16::from_float(f)) << f;
}

TEST(CastLike, TakesTheSecondInputsType) {
  auto out = run_node("CastLike", {make_tensor<double>({2}, {1.5, -1.5}), make_tensor<int32_t>({}, {0})});
  EXPECT_EQ(values_of<int32_t>(out[0]), (std::vector<int32_t>{1, -1}));
}

}  // namespace
}  // namespace onnxgen::testing
