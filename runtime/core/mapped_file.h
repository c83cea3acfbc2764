#pragma once
#include <cstddef>
#include <memory>
#include <string>

namespace onnxgen {

// A read-only memory mapping of a whole file. Weights point into it, so a model's initializers
// cost page cache, not anonymous memory.
class MappedFile {
 public:
  static std::shared_ptr<MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const char* data() const { return static_cast<const char*>(data_); }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Copies bytes [offset, offset + bytes) of the file without touching the mapping: for tables
  // read a few rows at a time, which would otherwise keep every page a read faulted in (and
  // its neighbours) resident in this process.
  void read(size_t offset, void* dst, size_t bytes) const;

 private:
  MappedFile(std::string path, int fd, void* data, size_t size)
      : path_(std::move(path)), fd_(fd), data_(data), size_(size) {}
  std::string path_;
  int fd_;  // kept open for read()
  void* data_;
  size_t size_;
};

}  // namespace onnxgen
