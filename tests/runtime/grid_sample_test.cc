#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

const Tensor kImage = make_tensor<float>({1, 1, 2, 2}, {1, 2, 3, 4});

TEST(GridSample, CornersWithAlignCornersReadThePixels) {
  auto out = run_node("GridSample", {kImage, make_tensor<float>({1, 1, 4, 2}, {-1, -1, 1, -1, -1, 1, 1, 1})},
                      {{"align_corners", int_attribute(1)}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 2, 3, 4}));
}

TEST(GridSample, BilinearCentreAveragesAndZerosOutside) {
  auto out = run_node("GridSample", {kImage, make_tensor<float>({1, 1, 2, 2}, {0, 0, 5, 5})});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{2.5f, 0}));
}

TEST(GridSample, BorderPaddingClamps) {
  auto out = run_node("GridSample", {kImage, make_tensor<float>({1, 1, 1, 2}, {5, 5})},
                      {{"padding_mode", string_attribute("border")}});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{4}));
}

TEST(GridSample, RejectsAGridWithoutXY) {
  EXPECT_THROW(run_node("GridSample", {kImage, make_tensor<float>({1, 1, 1, 3}, {0, 0, 0})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
