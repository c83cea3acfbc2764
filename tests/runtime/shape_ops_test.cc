#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(Shape, StartAndEndAreClamped) {
  Tensor x = Tensor::zeros(DataType::kFloat, {2, 3, 4});
  EXPECT_EQ(values_of<int64_t>(run_node("Shape", {x})[0]), (std::vector<int64_t>{2, 3, 4}));
  auto out = run_node("Shape", {x}, {{"start", int_attribute(-2)}, {"end", int_attribute(10)}}, 1, 15);
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{3, 4}));
  out = run_node("Shape", {x}, {{"start", int_attribute(2)}, {"end", int_attribute(1)}}, 1, 15);
  EXPECT_EQ(out[0].shape(), (Shape{0}));
}

TEST(Size, IsAnInt64Scalar) {
  auto out = run_node("Size", {Tensor::zeros(DataType::kFloat, {2, 3})});
  EXPECT_EQ(out[0].describe(), "int64[]");
  EXPECT_EQ(out[0].data<int64_t>()[0], 6);
}

TEST(ConstantOfShape, FillsWithTheValueAttribute) {
  Attribute value;
  value.kind = Attribute::Kind::kTensor;
  value.t = make_tensor<int32_t>({1}, {7});
  auto out = run_node("ConstantOfShape", {make_tensor<int64_t>({2}, {2, 2})}, {{"value", value}});
  EXPECT_EQ(values_of<int32_t>(out[0]), (std::vector<int32_t>{7, 7, 7, 7}));
  out = run_node("ConstantOfShape", {make_tensor<int64_t>({1}, {2})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{0, 0}));
  EXPECT_THROW(run_node("ConstantOfShape", {make_tensor<int64_t>({1}, {-2})}), Error);
}

TEST(EyeLike, OffDiagonalAndDtype) {
  auto out = run_node("EyeLike", {Tensor::zeros(DataType::kFloat, {2, 3})},
                      {{"k", int_attribute(1)}, {"dtype", int_attribute(static_cast<int64_t>(DataType::kInt32))}});
  EXPECT_EQ(values_of<int32_t>(out[0]), (std::vector<int32_t>{0, 1, 0, 0, 0, 1}));
  EXPECT_THROW(run_node("EyeLike", {Tensor::zeros(DataType::kFloat, {3})}), Error);
}

TEST(Range, CountsUpAndDown) {
  auto out = run_node("Range", {Tensor::scalar<int32_t>(10), Tensor::scalar<int32_t>(4), Tensor::scalar<int32_t>(-3)});
  EXPECT_EQ(values_of<int32_t>(out[0]), (std::vector<int32_t>{10, 7}));
  out = run_node("Range", {Tensor::scalar(1.0f), Tensor::scalar(2.0f), Tensor::scalar(0.25f)});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 1.25f, 1.5f, 1.75f}));
  out = run_node("Range", {Tensor::scalar<int64_t>(5), Tensor::scalar<int64_t>(1), Tensor::scalar<int64_t>(1)});
  EXPECT_EQ(out[0].shape(), (Shape{0}));
}

TEST(Range, RejectsZeroDeltaAndMixedTypes) {
  EXPECT_THROW(run_node("Range", {Tensor::scalar<int64_t>(0), Tensor::scalar<int64_t>(4), Tensor::scalar<int64_t>(0)}),
               Error);
  EXPECT_THROW(run_node("Range", {Tensor::scalar<int64_t>(0), Tensor::scalar(4.0f), Tensor::scalar<int64_t>(1)}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
