#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "regex.h"

namespace onnxgen::tokenizer {

// The {"String": ...} / {"Regex": ...} pattern object shared by Split, Replace and friends.
// Literal strings skip the regex engine: Replace(" " -> "▁") runs over every input byte.
// Replaces every occurrence of `from` (non-empty) by `to`.
std::string replace_literal(std::string_view subject, std::string_view from, std::string_view to);
// The same, written over `out` (a buffer the caller reuses); `out` must not alias `subject`.
void replace_literal_into(std::string& out, std::string_view subject, std::string_view from, std::string_view to);

class Pattern {
 public:
  Pattern(const nlohmann::json& j, std::string_view where);

  std::vector<std::pair<size_t, size_t>> find_all(std::string_view subject) const;
  std::string replace_all(std::string_view subject, std::string_view replacement) const;
  void replace_all_into(std::string& out, std::string_view subject, std::string_view replacement) const;

 private:
  std::string literal_;
  std::optional<Regex> regex_;
};

}  // namespace onnxgen::tokenizer
