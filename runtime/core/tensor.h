#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "runtime/core/allocator.h"
#include "runtime/core/data_type.h"
#include "runtime/core/error.h"
#include "runtime/core/shape.h"

namespace onnxgen {

// A typed, shaped, dense row-major view of a Buffer. Copies are cheap and share the buffer.
class Tensor {
 public:
  Tensor() = default;
  Tensor(DataType dtype, Shape shape, std::shared_ptr<Buffer> buffer, size_t byte_offset = 0);

  // Fresh uninitialised storage (strings are empty) from `allocator`.
  static Tensor empty(DataType dtype, Shape shape, Allocator& allocator = cpu_allocator());
  static Tensor zeros(DataType dtype, Shape shape, Allocator& allocator = cpu_allocator());
  template <class T>
  static Tensor scalar(T value) {
    Tensor t = empty(data_type_of<T>(), {});
    *t.data<T>() = value;
    return t;
  }

  bool defined() const { return dtype_ != DataType::kUndefined; }
  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t dim(size_t i) const { return shape_[i]; }
  size_t rank() const { return shape_.size(); }
  int64_t numel() const { return numel_; }
  size_t bytes() const { return static_cast<size_t>(numel_) * element_size(dtype_); }
  Device device() const { return buffer_ ? buffer_->device() : Device::cpu(); }
  const std::shared_ptr<Buffer>& buffer() const { return buffer_; }
  // Where the elements start in buffer(): a view of the same storage passes it on.
  size_t byte_offset() const { return offset_; }

  void* raw() const { return static_cast<char*>(buffer_->data()) + offset_; }
  template <class T>
  T* data() const {
    if (data_type_of<T>() != dtype_)
      fail("tensor of ", to_string(dtype_), " accessed as ", to_string(data_type_of<T>()));
    return static_cast<T*>(raw());
  }

  // Same storage, new shape with the same element count.
  Tensor reshaped(Shape shape) const;
  // A deep copy into fresh storage.
  Tensor clone(Allocator& allocator = cpu_allocator()) const;
  // Reads element i converted to double / int64 (slow path for shape tensors and tests).
  double to_double(int64_t i) const;
  int64_t to_int64(int64_t i) const;
  // All elements of a 0-D or 1-D integer tensor (shape inputs such as Reshape's `shape`).
  std::vector<int64_t> to_int64_vector() const;
  // The same elements as a Shape (Reshape's, Expand's target), with no heap allocation up to Shape's inline rank.
  Shape to_shape() const;
  std::string describe() const;  // "float32[2,3]"

 private:
  DataType dtype_ = DataType::kUndefined;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<Buffer> buffer_;
  size_t offset_ = 0;
};

}  // namespace onnxgen
