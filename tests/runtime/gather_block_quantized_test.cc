#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

std::vector<Tensor> gather(const Tensor& indices) {
  // Two rows of 16 4-bit codes alternating 8, 9 with scales 1 and 2 and zero point 8.
  return run_node("GatherBlockQuantized",
                  {make_tensor<uint8_t>({2, 8}, std::vector<uint8_t>(16, 0x98)), indices,
                   make_tensor<float>({2, 1}, {1, 2})},
                  {{"block_size", int_attribute(16)}}, 1, 1, "com.microsoft");
}

TEST(GatherBlockQuantized, DequantisesTheGatheredRows) {
  auto out = gather(make_tensor<int64_t>({1}, {-1}));
  EXPECT_EQ(out[0].describe(), "float32[1,16]");
  const auto y = values_of<float>(out[0]);
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 2.0f);
}

TEST(GatherBlockQuantized, RejectsIndexOutOfRange) { EXPECT_THROW(gather(make_tensor<int64_t>({1}, {2})), Error); }

}  // namespace
}  // namespace onnxgen::testing
