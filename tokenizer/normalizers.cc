#include "normalizers.h"

#include <utf8proc.h>

#include <cstdlib>
#include <vector>

#include "error.h"
#include "json_util.h"
#include "pattern.h"
#include "utf8.h"

namespace onnxgen::tokenizer {

namespace {

class UnicodeForm final : public Normalizer {
 public:
  explicit UnicodeForm(int options) : options_(options) {}
  std::string normalize(std::string_view text) const override {
    utf8proc_uint8_t* raw = nullptr;
    const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                static_cast<utf8proc_ssize_t>(text.size()), &raw,
                                static_cast<utf8proc_option_t>(options_ | UTF8PROC_STABLE));
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(raw, &std::free);
    if (n < 0) throw Error(std::string("Unicode normalisation failed: ") + utf8proc_errmsg(n));
    return std::string(reinterpret_cast<const char*>(raw), static_cast<size_t>(n));
  }

 private:
  int options_;
};

// Maps every code point through `fn`, which returns the replacement or -1 to drop it.
template <typename Fn>
std::string map_code_points(std::string_view text, Fn fn) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const auto cp = static_cast<int32_t>(utf8::next(text, pos));
    const int32_t mapped = fn(cp);
    if (mapped >= 0) utf8::append(out, static_cast<char32_t>(mapped));
  }
  return out;
}

class Lowercase final : public Normalizer {
 public:
  std::string normalize(std::string_view text) const override {
    return map_code_points(text, [](int32_t cp) { return utf8proc_tolower(cp); });
  }
};

class StripAccents final : public Normalizer {
 public:
  std::string normalize(std::string_view text) const override {
    return map_code_points(text, [](int32_t cp) {
      return utf8proc_category(cp) == UTF8PROC_CATEGORY_MN ? -1 : cp;
    });
  }
};

class Strip final : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  std::string normalize(std::string_view text) const override {
    size_t begin = 0, end = text.size();
    while (left_ && begin < end) {
      size_t next = begin;
      if (!utf8::is_whitespace(utf8::next(text, next))) break;
      begin = next;
    }
    if (right_) {
      while (end > begin) {
        size_t start = end - 1;
        while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
        size_t pos = start;
        if (!utf8::is_whitespace(utf8::next(text, pos))) break;
        end = start;
      }
    }
    return std::string(text.substr(begin, end - begin));
  }

 private:
  bool left_, right_;
};

class Replace final : public Normalizer {
 public:
  Replace(const nlohmann::json& j, const std::string& where)
      : pattern_(json_util::require(j, "pattern", where), where + ".pattern"),
        content_(json_util::require_string(j, "content", where)) {}
  std::string normalize(std::string_view text) const override { return pattern_.replace_all(text, content_); }

 private:
  Pattern pattern_;
  std::string content_;
};

class Prepend final : public Normalizer {
 public:
  explicit Prepend(std::string prefix) : prefix_(std::move(prefix)) {}
  std::string normalize(std::string_view text) const override {
    return text.empty() ? std::string() : prefix_ + std::string(text);
  }

 private:
  std::string prefix_;
};

// Chinese ideographs get spaces around them so that BERT vocabularies see one per word.
bool is_cjk(int32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

class BertNormalizer final : public Normalizer {
 public:
  explicit BertNormalizer(const nlohmann::json& j)
      : clean_text_(json_util::bool_or(j, "clean_text", true)),
        chinese_chars_(json_util::bool_or(j, "handle_chinese_chars", true)),
        lowercase_(json_util::bool_or(j, "lowercase", true)),
        strip_accents_(json_util::bool_or(j, "strip_accents", lowercase_)) {}

  std::string normalize(std::string_view text) const override {
    std::string out;
    out.reserve(text.size());
    for (size_t pos = 0; pos < text.size();) {
      const auto cp = static_cast<int32_t>(utf8::next(text, pos));
      if (clean_text_) {
        const auto cat = utf8proc_category(cp);
        const bool control = cp != '\t' && cp != '\n' && cp != '\r' &&
                             (cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF);
        if (cp == 0 || cp == 0xFFFD || control) continue;
        if (utf8::is_whitespace(static_cast<char32_t>(cp))) {
          out.push_back(' ');
          continue;
        }
      }
      if (chinese_chars_ && is_cjk(cp)) {
        out.push_back(' ');
        utf8::append(out, static_cast<char32_t>(cp));
        out.push_back(' ');
        continue;
      }
      utf8::append(out, static_cast<char32_t>(cp));
    }
    if (strip_accents_) out = StripAccents().normalize(UnicodeForm(UTF8PROC_DECOMPOSE).normalize(out));
    if (lowercase_) out = Lowercase().normalize(out);
    return out;
  }

 private:
  bool clean_text_, chinese_chars_, lowercase_, strip_accents_;
};

class Sequence final : public Normalizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Normalizer>> parts) : parts_(std::move(parts)) {}
  std::string normalize(std::string_view text) const override {
    std::string s(text);
    for (const auto& p : parts_) s = p->normalize(s);
    return s;
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> parts_;
};

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& j, const std::string& where) {
  if (j.is_null()) return nullptr;
  const std::string type = json_util::type_of(j, where);
  if (type == "NFC") return std::make_unique<UnicodeForm>(UTF8PROC_COMPOSE);
  if (type == "NFD") return std::make_unique<UnicodeForm>(UTF8PROC_DECOMPOSE);
  if (type == "NFKC") return std::make_unique<UnicodeForm>(UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
  if (type == "NFKD") return std::make_unique<UnicodeForm>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT);
  if (type == "Lowercase") return std::make_unique<Lowercase>();
  if (type == "StripAccents") return std::make_unique<StripAccents>();
  if (type == "Strip") {
    return std::make_unique<Strip>(json_util::bool_or(j, "strip_left", true), json_util::bool_or(j, "strip_right", true));
  }
  if (type == "Replace") return std::make_unique<Replace>(j, where);
  if (type == "Prepend") return std::make_unique<Prepend>(json_util::require_string(j, "prepend", where));
  if (type == "BertNormalizer") return std::make_unique<BertNormalizer>(j);
  if (type == "Sequence") {
    return std::make_unique<Sequence>(json_util::make_each<Normalizer>(j, "normalizers", where, make_normalizer));
  }
  json_util::unknown_type(where, type);
}

}  // namespace onnxgen::tokenizer
