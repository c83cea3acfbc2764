#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

// Four channels of one pixel each: channel c holds c.
Tensor depth() { return make_tensor<float>({1, 4, 1, 1}, {0, 1, 2, 3}); }

TEST(DepthToSpace, DcrAndCrdAgreeForOneOutputChannel) {
  auto dcr = run_node("DepthToSpace", {depth()}, {{"blocksize", int_attribute(2)}});
  EXPECT_EQ(dcr[0].shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(values_of<float>(dcr[0]), (std::vector<float>{0, 1, 2, 3}));
}

TEST(DepthToSpace, ModesDifferWithTwoOutputChannels) {
  std::vector<float> v(8);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  Tensor x = make_tensor<float>({1, 8, 1, 1}, v);
  auto dcr = run_node("DepthToSpace", {x}, {{"blocksize", int_attribute(2)}, {"mode", string_attribute("DCR")}});
  auto crd = run_node("DepthToSpace", {x}, {{"blocksize", int_attribute(2)}, {"mode", string_attribute("CRD")}});
  // DCR: channel = (by * b + bx) * C' + c; CRD: channel = c * b * b + by * b + bx.
  EXPECT_EQ(values_of<float>(dcr[0]), (std::vector<float>{0, 2, 4, 6, 1, 3, 5, 7}));
  EXPECT_EQ(values_of<float>(crd[0]), (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(SpaceToDepth, InvertsDepthToSpaceDcr) {
  auto space = run_node("DepthToSpace", {depth()}, {{"blocksize", int_attribute(2)}});
  auto back = run_node("SpaceToDepth", {space[0]}, {{"blocksize", int_attribute(2)}});
  EXPECT_EQ(back[0].shape(), (Shape{1, 4, 1, 1}));
  EXPECT_EQ(values_of<float>(back[0]), (std::vector<float>{0, 1, 2, 3}));
}

TEST(DepthToSpace, RejectsBadShapes) {
  EXPECT_THROW(run_node("DepthToSpace", {depth()}, {{"blocksize", int_attribute(3)}}), Error);
  EXPECT_THROW(run_node("SpaceToDepth", {depth()}, {{"blocksize", int_attribute(2)}}), Error);
  EXPECT_THROW(run_node("DepthToSpace", {make_tensor<float>({4}, {0, 1, 2, 3})}, {{"blocksize", int_attribute(2)}}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
