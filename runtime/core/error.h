#pragma once
// Errors are exceptions; the boundary that knows the context (file, node, op, shapes) adds it.
#include <sstream>
#include <stdexcept>
#include <string>

namespace onnxgen {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

template <class... Args>
[[noreturn]] void fail(const Args&... args) {
  throw Error(str_cat(args...));
}

}  // namespace onnxgen

#define ONNXGEN_CHECK(cond, ...)          \
  do {                                    \
    if (!(cond)) ::onnxgen::fail(__VA_ARGS__); \
  } while (0)
