#include <gtest/gtest.h>

#include <limits>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(Resize, NearestHalfPixelRoundPreferFloor) {
  auto out = run_node("Resize", {make_tensor<float>({1, 2}, {1, 2}), Tensor(), make_tensor<float>({2}, {1, 2})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 1, 2, 2}));
}

TEST(Resize, LinearAlignCornersFromSizes) {
  auto out = run_node("Resize",
                      {make_tensor<float>({1, 2}, {0, 3}), Tensor(), Tensor(), make_tensor<int64_t>({2}, {1, 4})},
                      {{"mode", string_attribute("linear")}, {"coordinate_transformation_mode", string_attribute("align_corners")}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{0, 1, 2, 3}));
}

TEST(Resize, CropAndResizeExtrapolatesOutsideTheInput) {
  // roi [0, 2] along the last axis reaches past the input's end at 1.
  auto out = run_node("Resize",
                      {make_tensor<float>({2}, {5, 7}), make_tensor<float>({2}, {0, 2}), Tensor(),
                       make_tensor<int64_t>({1}, {3})},
                      {{"mode", string_attribute("linear")},
                       {"coordinate_transformation_mode", string_attribute("tf_crop_and_resize")},
                       {"extrapolation_value", float_attribute(-1)}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{5, 7, -1}));
}

TEST(Upsample, NearestAsymmetricRepeats) {
  auto out = run_node("Upsample", {make_tensor<float>({1, 2}, {1, 2}), make_tensor<float>({2}, {1, 3})}, {}, 1, 9);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 1, 1, 2, 2, 2}));
}

TEST(Resize, RejectsScalesAndSizesTogether) {
  EXPECT_THROW(run_node("Resize", {make_tensor<float>({1, 2}, {1, 2}), Tensor(), make_tensor<float>({2}, {1, 2}),
                                   make_tensor<int64_t>({2}, {1, 4})}),
               Error);
}

TEST(Resize, RejectsNonFiniteScales) {
  EXPECT_THROW(run_node("Resize", {make_tensor<float>({1, 2}, {1, 2}), Tensor(),
                                   make_tensor<float>({2}, {1, std::numeric_limits<float>::infinity()})}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
