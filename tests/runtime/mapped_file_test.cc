#include "runtime/core/mapped_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "runtime/core/error.h"
#include "tests/support/temp_dir.h"

namespace onnxgen::testing {
namespace {

std::string bytes_of(size_t n, char first) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(first + static_cast<char>(i % 50));
  return s;
}

TEST(MappedFile, ReadCopiesTheFileBytes) {
  TempDir dir;
  const std::string content = bytes_of(100000, 'a');
  write_file(dir.file("w.bin"), content);
  const auto file = MappedFile::open(dir.file("w.bin"));
  std::string got(1000, '\0');
  file->read(54321, got.data(), got.size());
  EXPECT_EQ(got, content.substr(54321, 1000));
  EXPECT_THROW(file->read(99999, got.data(), 2), Error);
}

// Replaced (a new file renamed over it) or removed after mapping: reads still give the bytes that
// were mapped, not the new file's.
TEST(MappedFile, ReadAfterTheFileIsReplacedGivesTheMappedBytes) {
  TempDir dir;
  const std::string content = bytes_of(8192, 'a');
  write_file(dir.file("w.bin"), content);
  const auto file = MappedFile::open(dir.file("w.bin"));
  write_file(dir.file("new.bin"), bytes_of(8192, 'A'));
  ASSERT_EQ(std::rename(dir.file("new.bin").c_str(), dir.file("w.bin").c_str()), 0);
  std::string got(100, '\0');
  file->read(4000, got.data(), got.size());
  EXPECT_EQ(got, content.substr(4000, 100));
  ASSERT_EQ(std::remove(dir.file("w.bin").c_str()), 0);
  file->read(10, got.data(), got.size());
  EXPECT_EQ(got, content.substr(10, 100));
}

}  // namespace
}  // namespace onnxgen::testing
