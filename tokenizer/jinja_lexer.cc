#include "jinja_lexer.h"

#include <algorithm>
#include <cctype>

#include "error.h"
#include "utf8.h"

namespace onnxgen::tokenizer::jinja {

namespace {

[[noreturn]] void fail(int line, const std::string& what) {
  throw TemplateError("template line " + std::to_string(line) + ": " + what);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source) {}

  std::vector<Token> run() {
    while (pos_ < src_.size()) {
      const size_t tag = find_tag(pos_);
      std::string text(src_.substr(pos_, tag - pos_));
      size_t removed = 0;
      if (strip_next_text_) {
        removed = static_cast<size_t>(std::find_if_not(text.begin(), text.end(), is_space) - text.begin());
      } else if (trim_next_newline_) {
        removed = text.starts_with("\n") ? 1 : 0;
      }
      text.erase(0, removed);
      const size_t text_begin = pos_ + removed;
      const bool at_line_start = text_begin == 0 || src_[text_begin - 1] == '\n';
      strip_next_text_ = trim_next_newline_ = false;
      if (tag == src_.size()) {
        emit_text(std::move(text), line_);
        break;
      }
      const char kind = src_[tag + 1];
      const char modifier = tag + 2 < src_.size() ? src_[tag + 2] : '\0';
      if (modifier == '-') {
        text.erase(std::find_if_not(text.rbegin(), text.rend(), is_space).base(), text.end());
      } else if (kind != '{' && modifier != '+') {
        lstrip_line(text, at_line_start);
      }
      const int text_line = line_;
      advance_to(tag);
      emit_text(std::move(text), text_line);
      pos_ = tag + 2 + (modifier == '-' || modifier == '+' ? 1 : 0);
      if (kind == '#') {
        skip_comment();
      } else if (kind == '%' && starts_raw()) {
        lex_raw();
      } else {
        lex_tag(kind == '{');
      }
    }
    tokens_.push_back({Token::Kind::End, "", line_});
    return std::move(tokens_);
  }

 private:
  size_t find_tag(size_t from) const {
    for (size_t i = from; i + 1 < src_.size(); ++i) {
      if (src_[i] == '{' && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) return i;
    }
    return src_.size();
  }

  // lstrip_blocks: spaces and tabs between a line start and a block tag belong to neither.
  static void lstrip_line(std::string& text, bool at_line_start) {
    size_t i = text.size();
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t')) --i;
    if ((i == 0 && at_line_start) || (i > 0 && text[i - 1] == '\n')) text.erase(i);
  }

  void emit_text(std::string text, int line) {
    if (!text.empty()) tokens_.push_back({Token::Kind::Text, std::move(text), line});
  }

  void advance_to(size_t target) {
    line_ += static_cast<int>(std::count(src_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                         src_.begin() + static_cast<std::ptrdiff_t>(target), '\n'));
    pos_ = target;
  }

  // Consumes a closing delimiter ("}}", "%}", "#}") with its optional modifier.
  bool close(char kind) {
    const char closer = kind == '{' ? '}' : kind;
    size_t p = pos_;
    char modifier = '\0';
    if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) modifier = src_[p++];
    if (p + 1 < src_.size() && src_[p] == closer && src_[p + 1] == '}') {
      pos_ = p + 2;
      strip_next_text_ = modifier == '-';
      trim_next_newline_ = kind != '{' && modifier != '+' && modifier != '-';
      return true;
    }
    return false;
  }

  void skip_comment() {
    const int start_line = line_;
    while (pos_ < src_.size()) {
      if (close('#')) return;
      if (src_[pos_] == '\n') ++line_;
      ++pos_;
    }
    fail(start_line, "unterminated comment");
  }

  bool starts_raw() const {
    size_t p = pos_;
    while (p < src_.size() && is_space(src_[p])) ++p;
    if (src_.compare(p, 3, "raw") != 0) return false;
    p += 3;
    while (p < src_.size() && is_space(src_[p])) ++p;
    return src_.compare(p, 2, "%}") == 0 || src_.compare(p, 3, "-%}") == 0;
  }

  void lex_raw() {
    const int start_line = line_;
    while (pos_ < src_.size() && !close('%')) ++pos_;
    size_t search = pos_;
    while (true) {
      const size_t open = src_.find("{%", search);
      if (open == std::string_view::npos) fail(start_line, "unterminated raw block");
      size_t p = open + 2;
      if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) ++p;
      while (p < src_.size() && is_space(src_[p])) ++p;
      if (src_.compare(p, 6, "endraw") != 0) {
        search = open + 2;
        continue;
      }
      std::string text(src_.substr(pos_, open - pos_));
      if (src_[open + 2] == '-') text.erase(std::find_if_not(text.rbegin(), text.rend(), is_space).base(), text.end());
      const int text_line = line_;
      advance_to(open);
      emit_text(std::move(text), text_line);
      pos_ = p + 6;
      while (pos_ < src_.size() && is_space(src_[pos_])) ++pos_;
      if (!close('%')) fail(line_, "expected '%}' after endraw");
      return;
    }
  }

  void lex_tag(bool is_variable) {
    const char kind = is_variable ? '{' : '%';
    tokens_.push_back({is_variable ? Token::Kind::VarBegin : Token::Kind::BlockBegin, "", line_});
    const int start_line = line_;
    while (true) {
      while (pos_ < src_.size() && is_space(src_[pos_])) {
        if (src_[pos_] == '\n') ++line_;
        ++pos_;
      }
      if (pos_ >= src_.size()) fail(start_line, is_variable ? "unterminated '{{'" : "unterminated '{%'");
      if (close(kind)) {
        tokens_.push_back({is_variable ? Token::Kind::VarEnd : Token::Kind::BlockEnd, "", line_});
        return;
      }
      lex_expression_token();
    }
  }

  void lex_expression_token() {
    const char c = src_[pos_];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const size_t start = pos_;
      while (pos_ < src_.size() && (std::isalnum(static_cast<unsigned char>(src_[pos_])) || src_[pos_] == '_')) ++pos_;
      tokens_.push_back({Token::Kind::Name, std::string(src_.substr(start, pos_ - start)), line_});
      return;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      lex_number();
      return;
    }
    if (c == '\'' || c == '"') {
      lex_string(c);
      return;
    }
    static constexpr std::string_view kTwoChar[] = {"==", "!=", "<=", ">=", "//", "**"};
    for (const auto op : kTwoChar) {
      if (src_.compare(pos_, 2, op) == 0) {
        tokens_.push_back({Token::Kind::Operator, std::string(op), line_});
        pos_ += 2;
        return;
      }
    }
    if (std::string_view("+-*/%~|.,:()[]{}<>=!").find(c) != std::string_view::npos) {
      tokens_.push_back({Token::Kind::Operator, std::string(1, c), line_});
      ++pos_;
      return;
    }
    fail(line_, std::string("unexpected character '") + c + "'");
  }

  void lex_number() {
    const size_t start = pos_;
    bool is_float = false;
    const auto digits = [&] {
      while (pos_ < src_.size() && (std::isdigit(static_cast<unsigned char>(src_[pos_])) || src_[pos_] == '_')) ++pos_;
    };
    digits();
    if (pos_ + 1 < src_.size() && src_[pos_] == '.' && std::isdigit(static_cast<unsigned char>(src_[pos_ + 1]))) {
      is_float = true;
      ++pos_;
      digits();
    }
    if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      size_t p = pos_ + 1;
      if (p < src_.size() && (src_[p] == '+' || src_[p] == '-')) ++p;
      if (p < src_.size() && std::isdigit(static_cast<unsigned char>(src_[p]))) {
        is_float = true;
        pos_ = p;
        digits();
      }
    }
    std::string text(src_.substr(start, pos_ - start));
    std::erase(text, '_');
    tokens_.push_back({is_float ? Token::Kind::Float : Token::Kind::Integer, std::move(text), line_});
  }

  void lex_string(char quote) {
    const int start_line = line_;
    std::string out;
    ++pos_;
    while (true) {
      if (pos_ >= src_.size()) fail(start_line, "unterminated string literal");
      const char c = src_[pos_++];
      if (c == quote) break;
      if (c == '\n') ++line_;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= src_.size()) fail(start_line, "unterminated string literal");
      const char e = src_[pos_++];
      switch (e) {
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        case 'r': out.push_back('\r'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'v': out.push_back('\v'); break;
        case 'a': out.push_back('\a'); break;
        case '0': out.push_back('\0'); break;
        case '\\': case '\'': case '"': out.push_back(e); break;
        case '\n': ++line_; break;
        case 'x': case 'u': case 'U': {
          const size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (pos_ + n > src_.size()) fail(line_, "truncated escape in string literal");
          const std::string hex(src_.substr(pos_, n));
          if (hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
            fail(line_, "bad escape in string literal");
          }
          utf8::append(out, static_cast<char32_t>(std::stoul(hex, nullptr, 16)));
          pos_ += n;
          break;
        }
        default:
          // Python keeps unknown escapes verbatim.
          out.push_back('\\');
          out.push_back(e);
      }
    }
    tokens_.push_back({Token::Kind::String, std::move(out), start_line});
  }

  std::string_view src_;
  size_t pos_ = 0;
  int line_ = 1;
  bool strip_next_text_ = false;
  bool trim_next_newline_ = false;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) {
  // Jinja2 turns every line ending into "\n" and (keep_trailing_newline=False) drops the last one.
  std::string normalized;
  normalized.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] != '\r') {
      normalized.push_back(source[i]);
    } else if (i + 1 >= source.size() || source[i + 1] != '\n') {
      normalized.push_back('\n');
    }
  }
  if (normalized.ends_with('\n')) normalized.pop_back();
  return Lexer(normalized).run();
}

}  // namespace onnxgen::tokenizer::jinja
