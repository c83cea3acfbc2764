#include "runtime/core/shape.h"

#include <algorithm>

#include "runtime/core/error.h"

namespace onnxgen {

void Shape::reserve(size_t capacity) {
  if (capacity <= capacity_) return;
  auto* grown = new int64_t[capacity];
  std::copy(begin(), end(), grown);
  release();
  data_ = grown;
  capacity_ = capacity;
}

void Shape::resize(size_t count, int64_t value) {
  reserve(count);
  if (count > size_) std::fill(data_ + size_, data_ + count, value);
  size_ = count;
}

void Shape::assign(size_t count, int64_t value) {
  reserve(count);
  std::fill(data_, data_ + count, value);
  size_ = count;
}

Shape::iterator Shape::insert(const_iterator pos, size_t count, int64_t value) {
  iterator gap = open_gap(pos, count);
  std::fill(gap, gap + count, value);
  return gap;
}

Shape::iterator Shape::open_gap(const_iterator pos, size_t count) {
  const size_t at = static_cast<size_t>(pos - begin());
  if (size_ + count > capacity_) reserve(std::max(size_ + count, capacity_ * 2));
  std::move_backward(data_ + at, data_ + size_, data_ + size_ + count);
  size_ += count;
  return data_ + at;
}

Shape::iterator Shape::erase(const_iterator first, const_iterator last) {
  const size_t at = static_cast<size_t>(first - begin());
  const size_t count = static_cast<size_t>(last - first);
  std::move(data_ + at + count, data_ + size_, data_ + at);
  size_ -= count;
  return data_ + at;
}

void Shape::take(Shape& other) noexcept {
  size_ = other.size_;
  if (other.on_heap()) {
    data_ = other.data_;
    capacity_ = other.capacity_;
    other.data_ = other.inline_;
    other.capacity_ = kInlineDims;
  } else {
    data_ = inline_;
    capacity_ = kInlineDims;
    std::copy(other.begin(), other.end(), inline_);
  }
  other.size_ = 0;
}

void Shape::release() noexcept {
  if (on_heap()) delete[] data_;
  data_ = inline_;
  capacity_ = kInlineDims;
}

int64_t num_elements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(n, d, &n)) fail("shape ", to_string(shape), " has more elements than int64 can count");
  return n;
}

std::string to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Shape strides_of(const Shape& shape) {
  Shape strides(shape.size());
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      fail("shapes ", to_string(a), " and ", to_string(b), " cannot be broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t normalize_axis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    fail("axis ", axis, " is out of range for rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

}  // namespace onnxgen
