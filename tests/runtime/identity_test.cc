#include <gtest/gtest.h>

#include "runtime/exec/op_registry.h"
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
  auto out = run_node("Constant", {}, {{"value_ints", ints_attribute({3, 4, 5})}});
  EXPECT_EQ(out[0].describe(), "int64[3]");
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{3, 4, 5}));
}

TEST(Registry, NoKernelIsRegisteredTwice) {
  for (const auto& conflict : OpRegistry::global().conflicts()) ADD_FAILURE() << conflict;
}

class NoOp : public OpKernel {
 public:
  explicit NoOp(const KernelInit&) {}
  void compute(KernelContext&) override {}
};

TEST(Registry, OverlappingRegistrationIsRecordedNotAdded) {
  OpRegistry registry;
  auto make = [](int64_t since, int64_t until) {
    return KernelDef{"", "Twice", since, until, DeviceType::kCpu, kernel_factory<NoOp>()};
  };
  EXPECT_TRUE(registry.add(make(1, 12)));
  EXPECT_TRUE(registry.add(make(13, ONNXGEN_LATEST)));
  EXPECT_FALSE(registry.add(make(10, 14)));
  ASSERT_EQ(registry.conflicts().size(), 1u);
  EXPECT_NE(registry.conflicts()[0].find("overlapping opsets 1-12 and 10-14"), std::string::npos) << registry.conflicts()[0];
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
