#pragma once
#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

namespace onnxgen {

// A tensor's dimensions. Up to kInlineDims live inside the object, so building, copying and
// reshaping the shapes of a decode step never touches the heap; longer shapes spill to the heap
// and still work. The API is the subset of std::vector<int64_t> the code uses; conversions from
// and to std::vector (attribute lists) are explicit because the one to a vector allocates.
class Shape {
 public:
  using value_type = int64_t;
  using size_type = size_t;
  using difference_type = std::ptrdiff_t;
  using reference = int64_t&;
  using const_reference = const int64_t&;
  using pointer = int64_t*;
  using const_pointer = const int64_t*;
  using iterator = int64_t*;
  using const_iterator = const int64_t*;
  using reverse_iterator = std::reverse_iterator<iterator>;
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;

  static constexpr size_t kInlineDims = 8;

  Shape() noexcept = default;
  explicit Shape(size_t count) : Shape(count, 0) {}
  Shape(size_t count, int64_t value) { assign(count, value); }
  Shape(std::initializer_list<int64_t> dims) { assign(dims.begin(), dims.end()); }
  template <std::input_iterator It>
  Shape(It first, It last) {
    assign(first, last);
  }
  explicit Shape(const std::vector<int64_t>& dims) { assign(dims.begin(), dims.end()); }
  Shape(const Shape& other) { assign(other.begin(), other.end()); }
  Shape(Shape&& other) noexcept { take(other); }
  Shape& operator=(const Shape& other) {
    if (this != &other) assign(other.begin(), other.end());
    return *this;
  }
  Shape& operator=(Shape&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  Shape& operator=(std::initializer_list<int64_t> dims) {
    assign(dims.begin(), dims.end());
    return *this;
  }
  ~Shape() { release(); }

  explicit operator std::vector<int64_t>() const { return std::vector<int64_t>(begin(), end()); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return capacity_; }
  int64_t* data() { return data_; }
  const int64_t* data() const { return data_; }

  int64_t& operator[](size_t i) { return data_[i]; }
  const int64_t& operator[](size_t i) const { return data_[i]; }
  int64_t& front() { return data_[0]; }
  const int64_t& front() const { return data_[0]; }
  int64_t& back() { return data_[size_ - 1]; }
  const int64_t& back() const { return data_[size_ - 1]; }

  iterator begin() { return data_; }
  iterator end() { return data_ + size_; }
  const_iterator begin() const { return data_; }
  const_iterator end() const { return data_ + size_; }
  const_iterator cbegin() const { return begin(); }
  const_iterator cend() const { return end(); }
  reverse_iterator rbegin() { return reverse_iterator(end()); }
  reverse_iterator rend() { return reverse_iterator(begin()); }
  const_reverse_iterator rbegin() const { return const_reverse_iterator(end()); }
  const_reverse_iterator rend() const { return const_reverse_iterator(begin()); }

  void reserve(size_t capacity);
  void resize(size_t count, int64_t value = 0);
  void clear() { size_ = 0; }
  void push_back(int64_t dim) {
    if (size_ == capacity_) reserve(capacity_ * 2);
    data_[size_++] = dim;
  }
  void pop_back() { --size_; }

  void assign(size_t count, int64_t value);
  void assign(std::initializer_list<int64_t> dims) { assign(dims.begin(), dims.end()); }
  template <std::input_iterator It>
  void assign(It first, It last) {
    if constexpr (std::forward_iterator<It>) reserve(static_cast<size_t>(std::distance(first, last)));
    size_ = 0;
    for (; first != last; ++first) push_back(static_cast<int64_t>(*first));
  }

  iterator insert(const_iterator pos, int64_t dim) { return insert(pos, size_t{1}, dim); }
  iterator insert(const_iterator pos, size_t count, int64_t value);
  iterator insert(const_iterator pos, std::initializer_list<int64_t> dims) {
    return insert(pos, dims.begin(), dims.end());
  }
  template <std::input_iterator It>
  iterator insert(const_iterator pos, It first, It last) {
    // Staged in a separate Shape so a range taken from this shape survives the move below.
    const Shape staged(first, last);
    iterator gap = open_gap(pos, staged.size());
    std::copy(staged.begin(), staged.end(), gap);
    return gap;
  }
  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
  iterator erase(const_iterator first, const_iterator last);

  friend bool operator==(const Shape& a, const Shape& b) {
    return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
  }
  // Against an attribute's list of dims.
  friend bool operator==(const Shape& a, const std::vector<int64_t>& b) {
    return a.size_ == b.size() && std::equal(a.begin(), a.end(), b.begin());
  }
  friend std::strong_ordering operator<=>(const Shape& a, const Shape& b) {
    return std::lexicographical_compare_three_way(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  // Moves the tail from `pos` right by `count` and returns the opened gap.
  iterator open_gap(const_iterator pos, size_t count);
  void take(Shape& other) noexcept;
  void release() noexcept;
  bool on_heap() const { return data_ != inline_; }

  int64_t* data_ = inline_;
  size_t size_ = 0;
  size_t capacity_ = kInlineDims;
  int64_t inline_[kInlineDims];
};

int64_t num_elements(const Shape& shape);
std::string to_string(const Shape& shape);
// Row-major strides in elements.
Shape strides_of(const Shape& shape);
// Numpy-style multidirectional broadcasting; throws naming both shapes when they don't broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b);
// Normalises a possibly negative axis against `rank`, throwing when it is out of range.
int64_t normalize_axis(int64_t axis, int64_t rank);

}  // namespace onnxgen
