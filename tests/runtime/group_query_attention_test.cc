#include <gtest/gtest.h>

#include <cmath>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

const float kLn3 = std::log(3.0f);
const std::map<std::string, Attribute> kAttrs = {
    {"num_heads", int_attr(2)}, {"kv_num_heads", int_attr(1)}, {"scale", float_attr(1.0f)}};

std::vector<Tensor> gqa(const std::vector<Tensor>& inputs) {
  return run_node("GroupQueryAttention", inputs, kAttrs, 3, 1, "com.microsoft");
}

TEST(GroupQueryAttention, PromptIsCausalAndHeadsShareKv) {
  // Two query heads of size 1 over one KV head; query s sees keys 0..s.
  auto out = gqa({make_tensor<float>({1, 2, 2}, {1, 0, 1, 0}), make_tensor<float>({1, 2, 1}, {0, kLn3}),
                  make_tensor<float>({1, 2, 1}, {4, 8}), Tensor(), Tensor(), make_tensor<int32_t>({1}, {1}),
                  make_tensor<int32_t>({}, {2})});
  const auto y = values_of<float>(out[0]);
  EXPECT_NEAR(y[0], 4.0f, 1e-6f);
  EXPECT_NEAR(y[1], 4.0f, 1e-6f);
  EXPECT_NEAR(y[2], 7.0f, 1e-5f);
  EXPECT_NEAR(y[3], 6.0f, 1e-5f);
  EXPECT_EQ(values_of<float>(out[1]), (std::vector<float>{0, kLn3}));
}

TEST(GroupQueryAttention, DecodeAppendsAfterThePast) {
  auto out = gqa({make_tensor<float>({1, 1, 2}, {1, 0}), make_tensor<float>({1, 1, 1}, {kLn3}),
                  make_tensor<float>({1, 1, 1}, {8}), make_tensor<float>({1, 1, 1, 1}, {0}),
                  make_tensor<float>({1, 1, 1, 1}, {4}), make_tensor<int32_t>({1}, {1}), make_tensor<int32_t>({}, {2})});
  const auto y = values_of<float>(out[0]);
  EXPECT_NEAR(y[0], 7.0f, 1e-5f);
  EXPECT_NEAR(y[1], 6.0f, 1e-5f);
  EXPECT_EQ(values_of<float>(out[2]), (std::vector<float>{4, 8}));
}

TEST(GroupQueryAttention, RejectsSeqlensBeyondTheCache) {
  EXPECT_THROW(gqa({make_tensor<float>({1, 1, 2}, {1, 0}), make_tensor<float>({1, 1, 1}, {0}),
                    make_tensor<float>({1, 1, 1}, {8}), make_tensor<float>({1, 1, 1, 1}, {0}),
                    make_tensor<float>({1, 1, 1, 1}, {4}), make_tensor<int32_t>({1}, {7}), make_tensor<int32_t>({}, {2})}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
