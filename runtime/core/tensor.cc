#include "runtime/core/tensor.h"

#include <cstring>

namespace onnxgen {

Tensor::Tensor(DataType dtype, Shape shape, std::shared_ptr<Buffer> buffer, size_t byte_offset)
    : dtype_(dtype), shape_(std::move(shape)), numel_(num_elements(shape_)), buffer_(std::move(buffer)),
      offset_(byte_offset) {
  for (int64_t d : shape_) ONNXGEN_CHECK(d >= 0, "negative dimension in shape ", to_string(shape_));
  ONNXGEN_CHECK(buffer_ && offset_ + bytes() <= buffer_->bytes(), "buffer of ",
                buffer_ ? buffer_->bytes() : 0, " bytes is too small for ", describe());
}

Tensor Tensor::empty(DataType dtype, Shape shape, Allocator& allocator) {
  ONNXGEN_CHECK(is_supported(dtype), "unsupported element type ", to_string(dtype));
  int64_t n = 1;
  for (int64_t d : shape) {
    ONNXGEN_CHECK(d >= 0, "negative dimension in shape ", to_string(shape));
    ONNXGEN_CHECK(d == 0 || n <= (int64_t{1} << 50) / d, "shape ", to_string(shape), " is too large");
    n *= d;
  }
  std::shared_ptr<Buffer> buffer;
  if (dtype == DataType::kString)
    buffer = std::make_shared<StringBuffer>(static_cast<size_t>(n));
  else
    buffer = allocator.allocate(static_cast<size_t>(n) * element_size(dtype));
  return Tensor(dtype, std::move(shape), std::move(buffer));
}

Tensor Tensor::zeros(DataType dtype, Shape shape, Allocator& allocator) {
  Tensor t = empty(dtype, std::move(shape), allocator);
  if (dtype != DataType::kString) std::memset(t.raw(), 0, t.bytes());
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  ONNXGEN_CHECK(num_elements(shape) == numel_, "cannot reshape ", describe(), " to ", to_string(shape));
  return Tensor(dtype_, std::move(shape), buffer_, offset_);
}

Tensor Tensor::clone(Allocator& allocator) const {
  Tensor t = empty(dtype_, shape_, allocator);
  if (dtype_ == DataType::kString) {
    const auto* src = data<std::string>();
    auto* dst = t.data<std::string>();
    for (int64_t i = 0; i < numel_; ++i) dst[i] = src[i];
  } else if (numel_) {
    std::memcpy(t.raw(), raw(), bytes());
  }
  return t;
}

double Tensor::to_double(int64_t i) const {
  if (dtype_ == DataType::kBool) return static_cast<const bool*>(raw())[i];
  return dispatch_numeric(dtype_, [&](auto tag) -> double {
    using T = decltype(tag);
    return static_cast<double>(static_cast<compute_t<T>>(static_cast<const T*>(raw())[i]));
  });
}

int64_t Tensor::to_int64(int64_t i) const {
  if (dtype_ == DataType::kBool) return static_cast<const bool*>(raw())[i];
  return dispatch_numeric(dtype_, [&](auto tag) -> int64_t {
    using T = decltype(tag);
    auto v = static_cast<compute_t<T>>(static_cast<const T*>(raw())[i]);
    if constexpr (std::is_floating_point_v<decltype(v)>) {
      // Converting NaN or an out-of-range float to an integer is undefined behaviour.
      if (!(v >= -9.2233720368547758e18 && v < 9.2233720368547758e18))
        fail("value ", v, " of ", describe(), " is not representable as an integer");
    }
    return static_cast<int64_t>(v);
  });
}

std::vector<int64_t> Tensor::to_int64_vector() const {
  const Shape s = to_shape();
  return std::vector<int64_t>(s.begin(), s.end());
}

Shape Tensor::to_shape() const {
  ONNXGEN_CHECK(rank() <= 1, "expected a 0-D or 1-D tensor, got ", describe());
  ONNXGEN_CHECK(is_integer(dtype_), "expected an integer tensor, got ", describe());
  Shape s(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) s[i] = to_int64(i);
  return s;
}

std::string Tensor::describe() const { return to_string(dtype_) + to_string(shape_); }

}  // namespace onnxgen
