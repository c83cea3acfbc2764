#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Tensor floats(Shape shape, std::vector<float> v) { return make_tensor<float>(std::move(shape), v); }

TEST(Arithmetic, BroadcastsRowAndColumn) {
  auto out = run_node("Add", {floats({2, 1}, {10, 20}), floats({3}, {1, 2, 3})});
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{11, 12, 13, 21, 22, 23}));
  auto sub = run_node("Sub", {floats({}, {1}), floats({2}, {5, 7})});
  EXPECT_EQ(values_of<float>(sub[0]), (std::vector<float>{-4, -6}));
}

TEST(Arithmetic, LargeBroadcastMatchesElementByElement) {
  std::vector<float> a(64 * 1024), b(1024);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i % 977);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(i) * 0.5f;
  auto out = run_node("Mul", {floats({64, 1024}, a), floats({1024}, b)});
  const float* y = out[0].data<float>();
  for (size_t i = 0; i < a.size(); i += 131) ASSERT_EQ(y[i], a[i] * b[i % 1024]) << i;
}

TEST(Arithmetic, IntegersWrapAndSmallTypesDoNotPromote) {
  auto add = run_node("Add", {make_tensor<int32_t>({1}, {INT32_MAX}), make_tensor<int32_t>({1}, {1})});
  EXPECT_EQ(values_of<int32_t>(add[0]), (std::vector<int32_t>{INT32_MIN}));
  auto mul = run_node("Mul", {make_tensor<uint8_t>({1}, {200}), make_tensor<uint8_t>({1}, {2})});
  EXPECT_EQ(values_of<uint8_t>(mul[0]), (std::vector<uint8_t>{144}));
}

TEST(Arithmetic, IntegerDivisionTruncatesAndRejectsZero) {
  auto div = run_node("Div", {make_tensor<int32_t>({3}, {7, -7, INT32_MIN}), make_tensor<int32_t>({3}, {2, 2, -1})});
  EXPECT_EQ(values_of<int32_t>(div[0]), (std::vector<int32_t>{3, -3, INT32_MIN}));
  EXPECT_THROW(run_node("Div", {make_tensor<int64_t>({2}, {1, 2}), make_tensor<int64_t>({2}, {1, 0})}), Error);
}

TEST(Arithmetic, MismatchedTypesOrShapesThrow) {
  EXPECT_THROW(run_node("Add", {floats({2}, {1, 2}), make_tensor<double>({2}, {1, 2})}), Error);
  EXPECT_THROW(run_node("Add", {floats({2}, {1, 2}), floats({3}, {1, 2, 3})}), Error);
}

TEST(Mod, SignFollowsDivisorUnlessFmod) {
  Tensor a = make_tensor<int32_t>({4}, {7, -7, 7, -7});
  Tensor b = make_tensor<int32_t>({4}, {3, 3, -3, -3});
  EXPECT_EQ(values_of<int32_t>(run_node("Mod", {a, b})[0]), (std::vector<int32_t>{1, 2, -2, -1}));
  EXPECT_EQ(values_of<int32_t>(run_node("Mod", {a, b}, {{"fmod", int_attribute(1)}})[0]), (std::vector<int32_t>{1, -1, 1, -1}));
  auto f = run_node("Mod", {floats({2}, {-7.5f, 7.5f}), floats({2}, {2, -2})}, {{"fmod", int_attribute(1)}});
  EXPECT_EQ(values_of<float>(f[0]), (std::vector<float>{-1.5f, 1.5f}));
  auto py = run_node("Mod", {floats({4}, {-7.5f, 7.5f, 0, 1}), floats({4}, {2, -2, -2, -INFINITY})});
  EXPECT_EQ(values_of<float>(py[0]), (std::vector<float>{0.5f, -0.5f, -0.0f, -INFINITY}));
  EXPECT_TRUE(std::signbit(values_of<float>(py[0])[2]));
  EXPECT_THROW(run_node("Mod", {a, make_tensor<int32_t>({1}, {0})}), Error);
}

TEST(Pow, MixedTypesTakeTheBaseType) {
  auto fi = run_node("Pow", {floats({2}, {2, 9}), make_tensor<int64_t>({2}, {3, -1})});
  ASSERT_EQ(fi[0].dtype(), DataType::kFloat);
  EXPECT_EQ(values_of<float>(fi[0])[0], 8.0f);
  EXPECT_NEAR(values_of<float>(fi[0])[1], 1.0f / 9, 1e-7);
  auto i_f = run_node("Pow", {make_tensor<int32_t>({2}, {4, 2}), floats({2}, {0.5f, 3})});
  EXPECT_EQ(values_of<int32_t>(i_f[0]), (std::vector<int32_t>{2, 8}));
  auto ii = run_node("Pow", {make_tensor<int64_t>({1}, {3}), make_tensor<int64_t>({1}, {39})});
  EXPECT_EQ(values_of<int64_t>(ii[0])[0], 4052555153018976267LL);  // exact, beyond double's 53 bits
}

TEST(Pow, ScalarExponentFastPaths) {
  EXPECT_EQ(values_of<float>(run_node("Pow", {floats({3}, {-3, 0.5f, 4}), floats({}, {2})})[0]),
            (std::vector<float>{9, 0.25f, 16}));
  EXPECT_EQ(values_of<float>(run_node("Pow", {floats({2}, {9, 4}), floats({1}, {0.5f})})[0]), (std::vector<float>{3, 2}));
  EXPECT_NEAR(values_of<float>(run_node("Pow", {floats({1}, {2}), floats({}, {3.5f})})[0])[0], std::pow(2.0, 3.5), 1e-5);
}

TEST(Comparison, NumbersStringsAndBroadcast) {
  auto gt = run_node("Greater", {floats({2, 2}, {1, 5, 3, 0}), floats({2}, {2, 2})});
  EXPECT_EQ(values_of<bool>(gt[0]), (std::vector<bool>{false, true, true, false}));
  auto le = run_node("LessOrEqual", {make_tensor<int64_t>({3}, {1, 2, 3}), make_tensor<int64_t>({}, {2})});
  EXPECT_EQ(values_of<bool>(le[0]), (std::vector<bool>{true, true, false}));
  auto eq = run_node("Equal", {make_tensor<std::string>({2}, {"a", "bc"}), make_tensor<std::string>({2}, {"a", "b"})}, {},
                     1, 19);
  EXPECT_EQ(values_of<bool>(eq[0]), (std::vector<bool>{true, false}));
  EXPECT_THROW(run_node("Less", {make_tensor<bool>({1}, {true}), make_tensor<bool>({1}, {false})}), Error);
}

TEST(Logical, AndOrXor) {
  Tensor a = make_tensor<bool>({4}, {false, false, true, true});
  Tensor b = make_tensor<bool>({4}, {false, true, false, true});
  EXPECT_EQ(values_of<bool>(run_node("And", {a, b})[0]), (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(values_of<bool>(run_node("Or", {a, b})[0]), (std::vector<bool>{false, true, true, true}));
  EXPECT_EQ(values_of<bool>(run_node("Xor", {a, b})[0]), (std::vector<bool>{false, true, true, false}));
}

TEST(Bitwise, ShiftsAndMasks) {
  auto left = run_node("BitShift", {make_tensor<uint8_t>({3}, {1, 3, 255}), make_tensor<uint8_t>({3}, {7, 1, 8})},
                       {{"direction", string_attribute("LEFT")}});
  EXPECT_EQ(values_of<uint8_t>(left[0]), (std::vector<uint8_t>{128, 6, 0}));
  auto right = run_node("BitShift", {make_tensor<uint64_t>({1}, {1ULL << 63}), make_tensor<uint64_t>({1}, {63})},
                        {{"direction", string_attribute("RIGHT")}});
  EXPECT_EQ(values_of<uint64_t>(right[0]), (std::vector<uint64_t>{1}));
  EXPECT_THROW(run_node("BitShift", {make_tensor<uint8_t>({1}, {1}), make_tensor<uint8_t>({1}, {1})},
                        {{"direction", string_attribute("UP")}}),
               Error);
  auto band = run_node("BitwiseAnd", {make_tensor<int32_t>({2}, {12, -1}), make_tensor<int32_t>({2}, {10, 5})}, {}, 1, 18);
  EXPECT_EQ(values_of<int32_t>(band[0]), (std::vector<int32_t>{8, 5}));
  auto bnot = run_node("BitwiseNot", {make_tensor<uint8_t>({1}, {0x0f})}, {}, 1, 18);
  EXPECT_EQ(values_of<uint8_t>(bnot[0]), (std::vector<uint8_t>{0xf0}));
}

TEST(Variadic, FoldsAnyNumberOfBroadcastInputs) {
  Tensor a = floats({2, 1}, {1, 2});
  Tensor b = floats({3}, {10, 20, 30});
  Tensor c = floats({}, {100});
  EXPECT_EQ(values_of<float>(run_node("Sum", {a, b, c})[0]), (std::vector<float>{111, 121, 131, 112, 122, 132}));
  EXPECT_EQ(values_of<float>(run_node("Mean", {floats({2}, {1, 2}), floats({2}, {3, 6})})[0]), (std::vector<float>{2, 4}));
  EXPECT_EQ(values_of<int32_t>(run_node("Max", {make_tensor<int32_t>({3}, {1, 9, 3}), make_tensor<int32_t>({1}, {4})})[0]),
            (std::vector<int32_t>{4, 9, 4}));
  auto mn = run_node("Min", {floats({2}, {1, NAN}), floats({2}, {NAN, 2})});
  EXPECT_TRUE(std::isnan(values_of<float>(mn[0])[0]));
  EXPECT_TRUE(std::isnan(values_of<float>(mn[0])[1]));
  auto one = run_node("Max", {a});
  EXPECT_EQ(one[0].raw(), a.raw());  // a single input passes through
  EXPECT_THROW(run_node("Sum", {a, make_tensor<double>({1}, {1})}), Error);
}

TEST(Where, SelectsWithThreeWayBroadcast) {
  Tensor cond = make_tensor<bool>({2, 1}, {true, false});
  auto out = run_node("Where", {cond, floats({3}, {1, 2, 3}), floats({}, {-1})});
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 2, 3, -1, -1, -1}));
  auto s = run_node("Where", {make_tensor<bool>({2}, {false, true}), make_tensor<std::string>({2}, {"a", "b"}),
                              make_tensor<std::string>({2}, {"x", "y"})});
  EXPECT_EQ(values_of<std::string>(s[0]), (std::vector<std::string>{"x", "b"}));
  EXPECT_THROW(run_node("Where", {floats({1}, {1}), floats({1}, {1}), floats({1}, {2})}), Error);
}

TEST(Clip, AttributeAndInputForms) {
  Tensor x = floats({4}, {-5, 0.5f, 5, NAN});
  auto attr = run_node("Clip", {x}, {{"min", float_attribute(-1)}, {"max", float_attribute(1)}}, 1, 6);
  auto v = values_of<float>(attr[0]);
  EXPECT_EQ(std::vector<float>(v.begin(), v.begin() + 3), (std::vector<float>{-1, 0.5f, 1}));
  EXPECT_TRUE(std::isnan(v[3]));
  auto only_max = run_node("Clip", {x, Tensor(), floats({}, {0})}, {}, 1, 13);
  EXPECT_EQ(values_of<float>(only_max[0])[2], 0.0f);
  EXPECT_EQ(values_of<float>(only_max[0])[0], -5.0f);
  auto ints = run_node("Clip", {make_tensor<int8_t>({3}, {-100, 5, 100}), make_tensor<int8_t>({}, {-10}),
                                make_tensor<int8_t>({}, {10})});
  EXPECT_EQ(values_of<int8_t>(ints[0]), (std::vector<int8_t>{-10, 5, 10}));
  EXPECT_THROW(run_node("Clip", {x, floats({2}, {0, 1})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
