#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onnxgen::tokenizer {

// A compiled PCRE2 pattern (UTF + UCP so \p{L}, \s and \w follow Unicode, JIT when available).
// Hugging Face tokenizers patterns are Oniguruma/fancy-regex syntax, which PCRE2 accepts.
class Regex {
 public:
  // Throws Error naming the pattern when it does not compile.
  explicit Regex(std::string_view pattern);
  static Regex literal(std::string_view text);

  // Byte ranges [begin, end) of successive non-overlapping matches, left to right.
  std::vector<std::pair<size_t, size_t>> find_all(std::string_view subject) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Code;
  std::string pattern_;
  std::shared_ptr<const Code> code_;
};

}  // namespace onnxgen::tokenizer
