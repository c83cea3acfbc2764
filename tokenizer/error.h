#pragma once

#include <stdexcept>
#include <string>

namespace onnxgen::tokenizer {

// Every failure to load or run a tokenizer or chat template surfaces as this type, so callers
// can report bad model files without catching unrelated exceptions.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A chat template that does not parse, fails while rendering, or calls raise_exception.
class TemplateError : public Error {
 public:
  using Error::Error;
};

}  // namespace onnxgen::tokenizer
