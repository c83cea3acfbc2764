#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace onnxgen::tokenizer::jinja {

struct Token {
  enum class Kind { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Integer, Float, Operator, End };
  Kind kind;
  std::string text;  // Literal text, identifier, unescaped string, number digits or operator.
  int line;
};

// Splits a template into tokens, applying whitespace control the way transformers configures
// Jinja2: trim_blocks and lstrip_blocks on, "-" and "+" modifiers, trailing newline dropped.
// Throws TemplateError with the line for unterminated tags, strings and comments.
std::vector<Token> tokenize(std::string_view source);

}  // namespace onnxgen::tokenizer::jinja
