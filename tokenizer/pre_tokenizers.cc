#include "pre_tokenizers.h"

#include <algorithm>
#include <functional>
#include <optional>

#include "byte_level.h"
#include "json_util.h"
#include "pattern.h"
#include "regex.h"
#include "utf8.h"

namespace onnxgen::tokenizer {

void PreTokenizer::pre_tokenize(std::vector<Piece>& pieces) const {
  std::vector<Piece> out;
  out.reserve(pieces.size());
  for (auto& p : pieces) split(std::move(p), out);
  pieces = std::move(out);
}

class PreTokenizerSequence final : public PreTokenizer {
 public:
  explicit PreTokenizerSequence(std::vector<std::unique_ptr<PreTokenizer>> parts) : parts_(std::move(parts)) {}

 protected:
  void split(Piece&& piece, std::vector<Piece>& out) const override {
    std::vector<Piece> current{std::move(piece)};
    for (const auto& part : parts_) part->pre_tokenize(current);
    for (auto& p : current) out.push_back(std::move(p));
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> parts_;
};

namespace {

enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

Behavior parse_behavior(const nlohmann::json& j, const std::string& where) {
  const std::string b = json_util::string_or(j, "behavior", "Isolated");
  if (b == "Removed") return Behavior::Removed;
  if (b == "Isolated") return Behavior::Isolated;
  if (b == "MergedWithPrevious") return Behavior::MergedWithPrevious;
  if (b == "MergedWithNext") return Behavior::MergedWithNext;
  if (b == "Contiguous") return Behavior::Contiguous;
  json_util::fail(where, "unknown split behavior '" + b + "'");
}

struct Segment {
  size_t begin, end;
  bool is_match;
};

// Turns match ranges into a cover of the whole text, as the tokenizers crate's Pattern does.
std::vector<Segment> cover(const std::vector<std::pair<size_t, size_t>>& matches, size_t size, bool invert) {
  std::vector<Segment> segs;
  segs.reserve(matches.size() * 2 + 1);
  size_t prev = 0;
  for (const auto& [b, e] : matches) {
    if (prev < b) segs.push_back({prev, b, invert});
    segs.push_back({b, e, !invert});
    prev = e;
  }
  if (prev < size) segs.push_back({prev, size, invert});
  return segs;
}

// Each code point satisfying `pred` is its own match, like a Rust `Fn(char) -> bool` pattern.
std::vector<std::pair<size_t, size_t>> char_matches(std::string_view text, const std::function<bool(char32_t)>& pred) {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t pos = 0; pos < text.size();) {
    const size_t begin = pos;
    if (pred(utf8::next(text, pos))) out.emplace_back(begin, pos);
  }
  return out;
}

// Applies a SplitDelimiterBehavior and emits the non-empty resulting pieces.
void emit(Piece&& piece, const std::vector<Segment>& segs, Behavior behavior, std::vector<Piece>& out) {
  std::vector<std::pair<size_t, size_t>> ranges;
  bool previous_match = false;
  switch (behavior) {
    case Behavior::Removed:
      for (const auto& s : segs)
        if (!s.is_match) ranges.emplace_back(s.begin, s.end);
      break;
    case Behavior::Isolated:
      for (const auto& s : segs) ranges.emplace_back(s.begin, s.end);
      break;
    case Behavior::MergedWithPrevious:
      for (const auto& s : segs) {
        if (s.is_match && !previous_match && !ranges.empty()) {
          ranges.back().second = s.end;
        } else {
          ranges.emplace_back(s.begin, s.end);
        }
        previous_match = s.is_match;
      }
      break;
    case Behavior::MergedWithNext:
      for (auto it = segs.rbegin(); it != segs.rend(); ++it) {
        if (it->is_match && !previous_match && !ranges.empty()) {
          ranges.back().first = it->begin;
        } else {
          ranges.emplace_back(it->begin, it->end);
        }
        previous_match = it->is_match;
      }
      std::reverse(ranges.begin(), ranges.end());
      break;
    case Behavior::Contiguous:
      for (size_t i = 0; i < segs.size(); ++i) {
        if (i > 0 && segs[i].is_match == previous_match) {
          ranges.back().second = segs[i].end;
        } else {
          ranges.emplace_back(segs[i].begin, segs[i].end);
        }
        previous_match = segs[i].is_match;
      }
      break;
  }
  if (ranges.size() == 1 && ranges[0].first == 0 && ranges[0].second == piece.text.size()) {
    out.push_back(std::move(piece));
    return;
  }
  for (const auto& [b, e] : ranges) {
    if (b < e) out.push_back({piece.text.substr(b, e - b), piece.at_start && b == 0});
  }
}

class Split final : public PreTokenizer {
 public:
  Split(const nlohmann::json& j, const std::string& where)
      : pattern_(json_util::require(j, "pattern", where), where + ".pattern"),
        behavior_(parse_behavior(j, where)),
        invert_(json_util::bool_or(j, "invert", false)) {}

 protected:
  void split(Piece&& piece, std::vector<Piece>& out) const override {
    const auto segs = cover(pattern_.find_all(piece.text), piece.text.size(), invert_);
    emit(std::move(piece), segs, behavior_, out);
  }

 private:
  Pattern pattern_;
  Behavior behavior_;
  bool invert_;
};

// Splits on code points of one class (whitespace, punctuation, digits).
class CharClassSplit final : public PreTokenizer {
 public:
  CharClassSplit(std::function<bool(char32_t)> pred, Behavior behavior)
      : pred_(std::move(pred)), behavior_(behavior) {}

 protected:
  void split(Piece&& piece, std::vector<Piece>& out) const override {
    const auto segs = cover(char_matches(piece.text, pred_), piece.text.size(), false);
    emit(std::move(piece), segs, behavior_, out);
  }

 private:
  std::function<bool(char32_t)> pred_;
  Behavior behavior_;
};

class Whitespace final : public PreTokenizer {
 public:
  // Rust's \w (Alphabetic, marks, decimal digits, connectors, ZWJ/ZWNJ) is wider than PCRE2's.
  Whitespace()
      : regex_("[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}]+|[^\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}\\s]+") {}

 protected:
  void split(Piece&& piece, std::vector<Piece>& out) const override {
    const auto segs = cover(regex_.find_all(piece.text), piece.text.size(), true);
    emit(std::move(piece), segs, Behavior::Removed, out);
  }

 private:
  Regex regex_;
};

constexpr const char* kGpt2Pattern =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

class ByteLevel final : public PreTokenizer {
 public:
  explicit ByteLevel(const nlohmann::json& j)
      : add_prefix_space_(json_util::bool_or(j, "add_prefix_space", true)) {
    if (json_util::bool_or(j, "use_regex", true)) regex_.emplace(kGpt2Pattern);
  }

 protected:
  void split(Piece&& piece, std::vector<Piece>& out) const override {
    if (add_prefix_space_ && (piece.text.empty() || piece.text[0] != ' ')) piece.text.insert(0, 1, ' ');
    const size_t first = out.size();
    if (regex_) {
      const auto segs = cover(regex_->find_all(piece.text), piece.text.size(), false);
      emit(std::move(piece), segs, Behavior::Isolated, out);
    } else if (!piece.text.empty()) {
      out.push_back(std::move(piece));
    }
    for (size_t i = first; i < out.size(); ++i) out[i].text = byte_level::encode(out[i].text);
  }

 private:
  bool add_prefix_space_;
  std::optional<Regex> regex_;
};

class Metaspace final : public PreTokenizer {
 public:
  enum class Prepend { Always, First, Never };

  Metaspace(const nlohmann::json& j, const std::string& where)
      : replacement_(json_util::string_or(j, "replacement", "\u2581")), split_(json_util::bool_or(j, "split", true)) {
    std::string scheme = json_util::string_or(j, "prepend_scheme", "");
    if (scheme.empty()) scheme = json_util::bool_or(j, "add_prefix_space", true) ? "always" : "never";
    if (scheme == "always") {
      prepend_ = Prepend::Always;
    } else if (scheme == "first") {
      prepend_ = Prepend::First;
    } else if (scheme == "never") {
      prepend_ = Prepend::Never;
    } else {
      json_util::fail(where, "unknown prepend_scheme '" + scheme + "'");
    }
    size_t pos = 0;
    if (replacement_.empty()) json_util::fail(where, "empty replacement");
    replacement_cp_ = utf8::next(replacement_, pos);
  }

 protected:
  void split(Piece&& piece, std::vector<Piece>& out) const override {
    std::string text;
    text.reserve(piece.text.size() + 8);
    for (const char c : piece.text) {
      if (c == ' ') {
        text.append(replacement_);
      } else {
        text.push_back(c);
      }
    }
    const bool prepend = prepend_ == Prepend::Always || (prepend_ == Prepend::First && piece.at_start);
    if (prepend && text.rfind(replacement_, 0) != 0) text.insert(0, replacement_);
    piece.text = std::move(text);
    if (!split_) {
      out.push_back(std::move(piece));
      return;
    }
    const char32_t rep = replacement_cp_;
    const auto segs =
        cover(char_matches(piece.text, [rep](char32_t c) { return c == rep; }), piece.text.size(), false);
    emit(std::move(piece), segs, Behavior::MergedWithNext, out);
  }

 private:
  std::string replacement_;
  char32_t replacement_cp_ = 0;
  Prepend prepend_ = Prepend::Always;
  bool split_;
};

class BertPreTokenizer final : public PreTokenizer {
 protected:
  void split(Piece&& piece, std::vector<Piece>& out) const override {
    std::vector<Piece> words;
    emit(std::move(piece), cover(char_matches(piece.text, utf8::is_whitespace), piece.text.size(), false),
         Behavior::Removed, words);
    for (auto& w : words) {
      const auto segs = cover(char_matches(w.text, utf8::is_punctuation), w.text.size(), false);
      emit(std::move(w), segs, Behavior::Isolated, out);
    }
  }
};

}  // namespace

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const nlohmann::json& j, const std::string& where) {
  if (j.is_null()) return nullptr;
  const std::string type = json_util::type_of(j, where);
  if (type == "Split") return std::make_unique<Split>(j, where);
  if (type == "ByteLevel") return std::make_unique<ByteLevel>(j);
  if (type == "Metaspace") return std::make_unique<Metaspace>(j, where);
  if (type == "Whitespace") return std::make_unique<Whitespace>();
  if (type == "WhitespaceSplit") return std::make_unique<CharClassSplit>(utf8::is_whitespace, Behavior::Removed);
  if (type == "BertPreTokenizer") return std::make_unique<BertPreTokenizer>();
  if (type == "Punctuation") return std::make_unique<CharClassSplit>(utf8::is_punctuation, parse_behavior(j, where));
  if (type == "Digits") {
    const bool individual = json_util::bool_or(j, "individual_digits", false);
    return std::make_unique<CharClassSplit>(utf8::is_numeric, individual ? Behavior::Isolated : Behavior::Contiguous);
  }
  if (type == "Sequence") {
    return std::make_unique<PreTokenizerSequence>(
        json_util::make_each<PreTokenizer>(j, "pretokenizers", where, make_pre_tokenizer));
  }
  json_util::unknown_type(where, type);
}

}  // namespace onnxgen::tokenizer
