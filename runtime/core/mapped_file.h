#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
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
  // its neighbours) resident in this process. The file is opened again on the first call (a
  // model may map thousands of files; only a few are ever read this way); should it have been
  // removed or replaced since, the bytes come from the mapping instead.
  void read(size_t offset, void* dst, size_t bytes) const;

 private:
  MappedFile(std::string path, uint64_t device, uint64_t inode, void* data, size_t size)
      : path_(std::move(path)), device_(device), inode_(inode), data_(data), size_(size) {}
  std::string path_;
  uint64_t device_, inode_;  // which file was mapped
  void* data_;
  size_t size_;
  mutable std::once_flag reopen_;
  mutable int fd_ = -1;  // the same file opened for read(), or -1
};

}  // namespace onnxgen
