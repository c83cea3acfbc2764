#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(RoiAlign, ConstantImageAveragesToItsValue) {
  auto out = run_node("RoiAlign",
                      {make_tensor<float>({1, 1, 4, 4}, std::vector<float>(16, 5)), make_tensor<float>({1, 4}, {0, 0, 3, 3}),
                       make_tensor<int64_t>({1}, {0})},
                      {{"output_height", int_attribute(2)}, {"output_width", int_attribute(2)}});
  EXPECT_EQ(out[0].describe(), "float32[1,1,2,2]");
  for (float v : values_of<float>(out[0])) EXPECT_FLOAT_EQ(v, 5);
}

TEST(RoiAlign, SamplesBilinearlyInsideTheBin) {
  // One bin over x in [0, 1] of a ramp 0..3 along x: samples at 0.25 and 0.75 average to 0.5.
  auto out = run_node("RoiAlign",
                      {make_tensor<float>({1, 1, 1, 4}, {0, 1, 2, 3}), make_tensor<float>({1, 4}, {0, 0, 1, 0}),
                       make_tensor<int64_t>({1}, {0})},
                      {{"coordinate_transformation_mode", string_attribute("output_half_pixel")}, {"sampling_ratio", int_attribute(2)}});
  EXPECT_FLOAT_EQ(values_of<float>(out[0])[0], 0.5f);
}

TEST(RoiAlign, RejectsBatchIndexOutOfRange) {
  EXPECT_THROW(run_node("RoiAlign", {make_tensor<float>({1, 1, 2, 2}, {1, 2, 3, 4}), make_tensor<float>({1, 4}, {0, 0, 1, 1}),
                                     make_tensor<int64_t>({1}, {3})}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
