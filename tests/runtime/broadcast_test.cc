#include "runtime/ops/cpu/broadcast.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

// Offset of output element `flat` in an input of `in` shape, by the numpy rules, one element at a time.
int64_t reference_offset(const Shape& out, const Shape& in, int64_t flat) {
  int64_t offset = 0, stride = 1;
  for (size_t d = out.size(); d-- > 0;) {
    const int64_t i = flat % out[d];
    flat /= out[d];
    const size_t lead = out.size() - in.size();
    if (d < lead) continue;
    const int64_t size = in[d - lead];
    if (size != 1) offset += i * stride;
    stride *= size;
  }
  return offset;
}

// Walks [begin, end) and checks every element's offsets against the reference.
template <size_t N>
void expect_walk_matches(const std::array<Shape, N>& shapes, int64_t begin, int64_t end) {
  std::array<const Shape*, N> ptrs;
  for (size_t k = 0; k < N; ++k) ptrs[k] = &shapes[k];
  const Broadcast<N> plan(ptrs);
  int64_t next = begin;
  plan.for_each_run(begin, end, [&](int64_t out, const typename Broadcast<N>::Offsets& at, int64_t len) {
    ASSERT_EQ(out, next);
    ASSERT_GT(len, 0);
    for (int64_t i = 0; i < len; ++i)
      for (size_t k = 0; k < N; ++k)
        ASSERT_EQ(at[k] + (plan.inner_contiguous(k) ? i : 0), reference_offset(plan.out_shape(), shapes[k], out + i))
            << "input " << k << " element " << out + i;
    next += len;
  });
  EXPECT_EQ(next, end);
}

TEST(Broadcast, OutputShapeFollowsNumpyRules) {
  const Shape a{2, 1, 4}, b{3, 1}, c{1};
  EXPECT_EQ((Broadcast<3>({&a, &b, &c}).out_shape()), (Shape{2, 3, 4}));
}

TEST(Broadcast, IncompatibleShapesThrowNamingThem) {
  const Shape a{2, 3}, b{4};
  try {
    Broadcast<2> plan({&a, &b});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[2,3]"), std::string::npos) << e.what();
  }
}

TEST(Broadcast, SameShapesCollapseToOneContiguousRun) {
  const Shape a{2, 3, 4};
  const Broadcast<2> plan({&a, &a});
  EXPECT_EQ(plan.inner(), 24);
  EXPECT_TRUE(plan.inner_contiguous(0));
  EXPECT_TRUE(plan.inner_contiguous(1));
  int runs = 0;
  plan.for_each_run(0, 24, [&](int64_t, const Broadcast<2>::Offsets&, int64_t len) {
    ++runs;
    EXPECT_EQ(len, 24);
  });
  EXPECT_EQ(runs, 1);
}

TEST(Broadcast, BiasOverRowsRepeatsThePerRowScalar) {
  const Shape x{4, 8}, bias{4, 1};
  const Broadcast<2> plan({&x, &bias});
  EXPECT_EQ(plan.inner(), 8);
  EXPECT_TRUE(plan.inner_contiguous(0));
  EXPECT_FALSE(plan.inner_contiguous(1));
  expect_walk_matches<2>({x, bias}, 0, 32);
}

TEST(Broadcast, SubRangesStartAndStopMidRun) {
  expect_walk_matches<2>({Shape{3, 1, 5}, Shape{4, 1}}, 7, 53);
  expect_walk_matches<3>({Shape{2, 3, 1}, Shape{1}, Shape{3, 4}}, 5, 6);
}

TEST(Broadcast, RandomShapesMatchTheReference) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const size_t rank = rng() % 5;
    Shape out(rank);
    for (auto& d : out) d = 1 + rng() % 4;
    std::array<Shape, 3> shapes;
    for (auto& s : shapes) {
      const size_t r = rng() % (rank + 1);
      s.assign(out.end() - static_cast<int64_t>(r), out.end());
      for (auto& d : s)
        if (rng() % 2) d = 1;
    }
    shapes[0] = out;  // one input spans the full output
    const int64_t n = num_elements(out);
    const int64_t begin = static_cast<int64_t>(rng() % (n + 1));
    const int64_t end = begin + static_cast<int64_t>(rng() % (n - begin + 1));
    expect_walk_matches<3>(shapes, 0, n);
    expect_walk_matches<3>(shapes, begin, end);
  }
}

TEST(Broadcast, ScalarsAndEmptyTensors) {
  const Shape scalar{}, empty{0, 3}, row{3};
  expect_walk_matches<2>({scalar, scalar}, 0, 1);
  const Broadcast<2> plan({&empty, &row});
  EXPECT_EQ(plan.numel(), 0);
  plan.for_each_run(0, 0, [](int64_t, const Broadcast<2>::Offsets&, int64_t) { FAIL() << "no runs expected"; });
}

TEST(LegacyBroadcast, AxisAlignsBWithAMiddleDimension) {
  Tensor a = make_tensor<float>({2, 3, 2}, {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1});
  Tensor b = make_tensor<float>({3}, {10, 20, 30});
  auto out = run_node("Add", {a, b}, {{"broadcast", int_attribute(1)}, {"axis", int_attribute(1)}}, 1, 6);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{10, 10, 20, 20, 30, 30, 11, 11, 21, 21, 31, 31}));
}

TEST(LegacyBroadcast, WithoutBroadcastFlagShapesMustMatch) {
  Tensor a = make_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = make_tensor<float>({3}, {1, 2, 3});
  EXPECT_THROW(run_node("Mul", {a, b}, {}, 1, 6), Error);
  EXPECT_NO_THROW(run_node("Mul", {a, b}, {}, 1, 7));
}

}  // namespace
}  // namespace onnxgen::testing
