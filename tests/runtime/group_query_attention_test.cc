#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <utility>
#include <vector>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

const float kLn3 = std::log(3.0f);
const std::map<std::string, Attribute> kAttrs = {
    {"num_heads", int_attribute(2)}, {"kv_num_heads", int_attribute(1)}, {"scale", float_attribute(1.0f)}};

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

TEST(GroupQueryAttention, SlidingWindowCacheKeepsOnlyRecentKeys) {
  // ORT 1.32: a buffer of 3 with a window of 2 holds 2 + (T - 2) % 2 keys after T tokens. After 4
  // it holds positions 2 and 3 in slots 0 and 1 (slot 2, value 100, is stale); positions 4 and 5
  // arrive, each query sees its own key and the one before, and 2 keys remain for T = 6. Heads have
  // 8 dims (ORT's minimum), only dim 0 nonzero; head 0's zero query averages, head 1 weighs by key.
  const std::map<std::string, Attribute> attrs = {{"num_heads", int_attribute(2)},
                                                  {"kv_num_heads", int_attribute(1)},
                                                  {"scale", float_attribute(1.0f)},
                                                  {"local_window_size", int_attribute(2)},
                                                  {"sliding_window_cache", int_attribute(1)}};
  const auto rows = [](int64_t n, std::initializer_list<std::pair<int64_t, float>> dim0) {
    std::vector<float> v(static_cast<size_t>(n * 8));
    for (const auto& [row, x] : dim0) v[static_cast<size_t>(row * 8)] = x;
    return v;
  };
  auto out = run_node("GroupQueryAttention",
                      {make_tensor<float>({1, 2, 16}, rows(4, {{1, 1}, {3, 1}})),
                       make_tensor<float>({1, 2, 8}, rows(2, {{0, 8}, {1, 9}})),
                       make_tensor<float>({1, 2, 8}, rows(2, {{0, 3}, {1, 4}})),
                       make_tensor<float>({1, 1, 3, 8}, rows(3, {{0, 5}, {1, 6}, {2, 7}})),
                       make_tensor<float>({1, 1, 3, 8}, rows(3, {{0, 1}, {1, 2}, {2, 100}})),
                       make_tensor<int32_t>({1}, {5}), make_tensor<int32_t>({}, {6})},
                      attrs, 3, 1, "com.microsoft");
  const auto y = values_of<float>(out[0]);
  EXPECT_NEAR(y[0], 2.5f, 1e-5f);
  EXPECT_NEAR(y[8], 2.880797f, 1e-5f);
  EXPECT_NEAR(y[16], 3.5f, 1e-5f);
  EXPECT_NEAR(y[24], 3.7310588f, 1e-5f);
  ASSERT_EQ(out[1].shape(), (std::vector<int64_t>{1, 1, 3, 8}));
  EXPECT_EQ(values_of<float>(out[1]), rows(3, {{0, 8}, {1, 9}}));
  EXPECT_EQ(values_of<float>(out[2]), rows(3, {{0, 3}, {1, 4}}));
}

TEST(GroupQueryAttention, RejectsSeqlensBeyondTheCache) {
  EXPECT_THROW(gqa({make_tensor<float>({1, 1, 2}, {1, 0}), make_tensor<float>({1, 1, 1}, {0}),
                    make_tensor<float>({1, 1, 1}, {8}), make_tensor<float>({1, 1, 1, 1}, {0}),
                    make_tensor<float>({1, 1, 1, 1}, {4}), make_tensor<int32_t>({1}, {7}), make_tensor<int32_t>({}, {2})}),
               Error);
}

}  // namespace
}  // namespace onnxgen::testing
