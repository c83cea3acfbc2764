// The Shape value type: vector semantics on both sides of its inline capacity.
#include "runtime/core/shape.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace onnxgen {
namespace {

// Dims 1..n, long enough to spill to the heap when n > kInlineDims.
Shape counting(size_t n) {
  Shape s;
  for (size_t i = 1; i <= n; ++i) s.push_back(static_cast<int64_t>(i));
  return s;
}

std::vector<int64_t> as_vector(const Shape& s) { return std::vector<int64_t>(s); }

TEST(InlineShape, ConstructsLikeAVector) {
  EXPECT_TRUE(Shape().empty());
  EXPECT_EQ(as_vector(Shape{2, 3, 4}), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(as_vector(Shape(3)), (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(as_vector(Shape(2, 7)), (std::vector<int64_t>{7, 7}));
  const std::vector<int64_t> dims{5, 6};
  EXPECT_EQ(as_vector(Shape(dims.begin(), dims.end())), dims);
  EXPECT_EQ(as_vector(Shape(dims)), dims);
  EXPECT_EQ(Shape(dims), dims);
  EXPECT_EQ(Shape{}.size(), 0u);
  EXPECT_EQ(Shape{4}.size(), 1u);
}

TEST(InlineShape, StaysInlineUpToItsCapacityAndSpillsBeyond) {
  Shape s = counting(Shape::kInlineDims);
  EXPECT_EQ(s.capacity(), Shape::kInlineDims);
  s.push_back(99);
  EXPECT_GT(s.capacity(), Shape::kInlineDims);
  ASSERT_EQ(s.size(), Shape::kInlineDims + 1);
  for (size_t i = 0; i < Shape::kInlineDims; ++i) EXPECT_EQ(s[i], static_cast<int64_t>(i + 1));
  EXPECT_EQ(s.back(), 99);
  s.resize(20, -1);
  EXPECT_EQ(s.size(), 20u);
  EXPECT_EQ(s[19], -1);
  EXPECT_EQ(s[8], 99);
}

TEST(InlineShape, CopiesAndMovesOnBothSidesOfTheInlineCapacity) {
  for (size_t n : {size_t{3}, size_t{12}}) {
    const Shape original = counting(n);
    Shape copy = original;
    EXPECT_EQ(copy, original);
    copy[0] = 42;
    EXPECT_NE(copy, original) << "a copy shares no storage";
    Shape moved = std::move(copy);
    EXPECT_EQ(moved[0], 42);
    EXPECT_EQ(moved.size(), n);
    EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty and reusable
    copy = moved;
    EXPECT_EQ(copy, moved);
    Shape assigned{1};
    assigned = std::move(moved);
    EXPECT_EQ(assigned, copy);
    assigned = assigned;  // self-assignment keeps the dims
    EXPECT_EQ(assigned, copy);
  }
}

TEST(InlineShape, EditsInTheMiddle) {
  Shape s{1, 2, 3};
  s.insert(s.begin() + 1, 9);
  EXPECT_EQ(as_vector(s), (std::vector<int64_t>{1, 9, 2, 3}));
  s.insert(s.end(), {7, 8});
  EXPECT_EQ(as_vector(s), (std::vector<int64_t>{1, 9, 2, 3, 7, 8}));
  s.insert(s.begin(), 2, 0);
  EXPECT_EQ(as_vector(s), (std::vector<int64_t>{0, 0, 1, 9, 2, 3, 7, 8}));
  // A range taken from the shape itself, growing it past the inline capacity.
  s.insert(s.begin() + 2, s.begin(), s.begin() + 4);
  EXPECT_EQ(as_vector(s), (std::vector<int64_t>{0, 0, 0, 0, 1, 9, 1, 9, 2, 3, 7, 8}));
  s.erase(s.begin() + 2, s.begin() + 6);
  EXPECT_EQ(as_vector(s), (std::vector<int64_t>{0, 0, 1, 9, 2, 3, 7, 8}));
  s.erase(s.begin());
  s.pop_back();
  EXPECT_EQ(as_vector(s), (std::vector<int64_t>{0, 1, 9, 2, 3, 7}));
  EXPECT_EQ(s.front(), 0);
  EXPECT_EQ(std::vector<int64_t>(s.rbegin(), s.rend()), (std::vector<int64_t>{7, 3, 2, 9, 1, 0}));
  s.assign({4, 5});
  EXPECT_EQ(as_vector(s), (std::vector<int64_t>{4, 5}));
  s.assign(3, 1);
  EXPECT_EQ(as_vector(s), (std::vector<int64_t>{1, 1, 1}));
  s.clear();
  EXPECT_TRUE(s.empty());
}

TEST(InlineShape, ComparesLexicographically) {
  EXPECT_EQ((Shape{1, 2}), (Shape{1, 2}));
  EXPECT_NE((Shape{1, 2}), (Shape{1, 2, 1}));
  EXPECT_LT((Shape{1, 2}), (Shape{1, 3}));
  EXPECT_LT((Shape{1, 2}), (Shape{1, 2, 0}));
  EXPECT_NE(Shape{3}, (std::vector<int64_t>{3, 1}));
}

TEST(InlineShape, HelpersWorkPastTheInlineCapacity) {
  const Shape s(10, 2);
  EXPECT_EQ(num_elements(s), 1024);
  const Shape strides = strides_of(s);
  EXPECT_EQ(strides.front(), 512);
  EXPECT_EQ(strides.back(), 1);
  EXPECT_EQ(broadcast_shapes(Shape{3, 1}, Shape{10, 1, 4}), (Shape{10, 3, 4}));
  EXPECT_EQ(to_string(Shape{2, 3}), "[2,3]");
}

}  // namespace
}  // namespace onnxgen
