#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Tensor row() { return make_tensor<float>({1, 3}, {1, 2, 3}); }
Tensor pads(std::vector<int64_t> v) { return make_tensor<int64_t>({static_cast<int64_t>(v.size())}, v); }

std::vector<float> padded(const std::string& mode, std::vector<int64_t> p) {
  return values_of<float>(run_node("Pad", {row(), pads(std::move(p))}, {{"mode", string_attribute(mode)}})[0]);
}

TEST(Pad, Modes) {
  EXPECT_EQ(padded("constant", {0, 2, 0, 1}), (std::vector<float>{0, 0, 1, 2, 3, 0}));
  EXPECT_EQ(padded("reflect", {0, 2, 0, 2}), (std::vector<float>{3, 2, 1, 2, 3, 2, 1}));
  EXPECT_EQ(padded("edge", {0, 2, 0, 1}), (std::vector<float>{1, 1, 1, 2, 3, 3}));
  EXPECT_EQ(values_of<float>(run_node("Pad", {row(), pads({0, 2, 0, 1})}, {{"mode", string_attribute("wrap")}}, 1, 19)[0]),
            (std::vector<float>{2, 3, 1, 2, 3, 1}));
}

TEST(Pad, NegativePadsCrop) { EXPECT_EQ(padded("constant", {0, -1, 0, 0}), (std::vector<float>{2, 3})); }

TEST(Pad, ConstantValueAndAxesInputs) {
  auto out = run_node("Pad", {row(), pads({1, 1}), Tensor::scalar(9.0f), make_tensor<int64_t>({1}, {-1})}, {}, 1, 18);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{9, 1, 2, 3, 9}));
}

TEST(Pad, AttributesBeforeOpset11) {
  auto out = run_node("Pad", {row()}, {{"pads", ints_attribute({1, 0, 0, 0})}, {"value", float_attribute(5)}}, 1, 10);
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{5, 5, 5, 1, 2, 3}));
}

TEST(Pad, RejectsBadArguments) {
  EXPECT_THROW(padded("constant", {0, 1}), Error);
  EXPECT_THROW(padded("constant", {0, -4, 0, 0}), Error);
  EXPECT_THROW(padded("mirror", {0, 1, 0, 1}), Error);
  EXPECT_THROW(padded("constant", {0, INT64_MAX, 0, 1}), Error);
  EXPECT_THROW(run_node("Pad", {make_tensor<float>({0}, {}), pads({1, 1})}, {{"mode", string_attribute("edge")}}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
