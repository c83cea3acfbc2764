#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

TEST(Identity, SharesTheInputBuffer) {
  Tensor x = make_tensor<float>({2, 2}, {1, 2, 3, 4});
  auto out = run_node("Identity", {x});
  EXPECT_EQ(out[0].raw(), x.raw());
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 2, 3, 4}));
}

TEST(Constant, ValueIntsBecomesInt64Vector) {
  auto out = run_node("Constant", {}, {{"value_ints", ints_attr({3, 4, 5})}});
  EXPECT_EQ(out[0].describe(), "int64[3]");
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{3, 4, 5}));
}

TEST(Registry, UnknownOpNamesTheOp) {
  try {
    run_node("NoSuchOp", {make_tensor<float>({1}, {1})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported op 'NoSuchOp'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace onnxgen::testing
