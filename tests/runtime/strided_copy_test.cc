#include "runtime/ops/cpu/strided_copy.h"

#include <gtest/gtest.h>

namespace onnxgen {
namespace {

TEST(Coalesce, MergesContiguousAndDropsUnitDims) {
  StridedView v = coalesce({{2, 1, 3, 4}, {12, 99, 4, 1}, 5});
  EXPECT_EQ(v.shape, (Shape{24}));
  EXPECT_EQ(v.strides, (std::vector<int64_t>{1}));
  EXPECT_EQ(v.offset, 5);
  v = coalesce({{3, 4}, {1, 3}, 0});
  EXPECT_EQ(v.shape, (Shape{3, 4}));
}

TEST(StridedCopy, ReversedAndBroadcastViews) {
  const std::vector<int32_t> src = {0, 1, 2, 3, 4, 5};
  std::vector<int32_t> dst(6);
  // [2,3] read backwards on both axes.
  strided_copy(src.data(), dst.data(), StridedView{{2, 3}, {-3, -1}, 5}, ThreadPool::global());
  EXPECT_EQ(dst, (std::vector<int32_t>{5, 4, 3, 2, 1, 0}));
  // Row 1 repeated twice, then each element of column 0 repeated three times.
  strided_copy(src.data(), dst.data(), StridedView{{2, 3}, {0, 1}, 3}, ThreadPool::global());
  EXPECT_EQ(dst, (std::vector<int32_t>{3, 4, 5, 3, 4, 5}));
  strided_copy(src.data(), dst.data(), StridedView{{2, 3}, {3, 0}, 0}, ThreadPool::global());
  EXPECT_EQ(dst, (std::vector<int32_t>{0, 0, 0, 3, 3, 3}));
}

TEST(DispatchBySize, RejectsUndefined) {
  EXPECT_THROW(dispatch_by_size(DataType::kUndefined, [](auto) {}), Error);
}

}  // namespace
}  // namespace onnxgen
