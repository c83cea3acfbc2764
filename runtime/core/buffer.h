#pragma once
// A span of device memory with an owner. Tensors share buffers, so a Reshape is free and memory
// returns to its allocator (or its file mapping is released) when the last view goes away.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "runtime/core/device.h"

namespace onnxgen {

class Buffer {
 public:
  Buffer(void* data, size_t bytes, Device device) : data_(data), bytes_(bytes), device_(device) {}
  virtual ~Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

 protected:
  void* data_;
  size_t bytes_;
  Device device_;
};

// Holds std::string elements, which need construction and destruction.
class StringBuffer : public Buffer {
 public:
  explicit StringBuffer(size_t count) : Buffer(nullptr, 0, Device::cpu()), strings_(count) {
    data_ = strings_.data();
    bytes_ = count * sizeof(std::string);
  }

 private:
  std::vector<std::string> strings_;
};

// Keeps an arbitrary owner (a file mapping, a protobuf string) alive for a view into it.
template <class Owner>
class OwningBuffer : public Buffer {
 public:
  OwningBuffer(Owner owner, void* data, size_t bytes)
      : Buffer(data, bytes, Device::cpu()), owner_(std::move(owner)) {}

  const Owner& owner() const { return owner_; }

 private:
  Owner owner_;
};

}  // namespace onnxgen
