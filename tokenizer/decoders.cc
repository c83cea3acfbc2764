#include "decoders.h"

#include "byte_level.h"
#include "json_util.h"
#include "pattern.h"
#include "utf8.h"

namespace onnxgen::tokenizer {

void DecodePieces::reset(size_t text_bytes) {
  size_ = 0;
  text_bytes_ = text_bytes;
  scratch_.reserve(text_bytes);
}

std::string& DecodePieces::add(size_t bytes) {
  if (size_ == items_.size()) items_.emplace_back();
  std::string& s = items_[size_++];
  s.clear();
  s.reserve(size_ == 1 ? text_bytes_ : bytes);
  return s;
}

std::string& DecodePieces::scratch() {
  scratch_.clear();
  return scratch_;
}

namespace {

void join_into_first(DecodePieces& tokens) {
  if (tokens.size() == 0) return;
  for (size_t i = 1; i < tokens.size(); ++i) tokens[0] += tokens[i];
  tokens.truncate(1);
}

class ByteLevel final : public Decoder {
 public:
  void decode_chain(DecodePieces& tokens) const override {
    if (tokens.size() == 0) return;
    std::string& bytes = tokens.scratch();
    for (const auto& t : tokens.pieces()) byte_level::append_decoded(bytes, t);
    tokens[0].clear();
    utf8::append_valid_lossy(tokens[0], bytes);
    tokens.truncate(1);
  }
};

class Metaspace final : public Decoder {
 public:
  explicit Metaspace(const nlohmann::json& j)
      : replacement_(json_util::string_or(j, "replacement", "\u2581")),
        strip_first_(json_util::string_or(j, "prepend_scheme", json_util::bool_or(j, "add_prefix_space", true)
                                                                    ? "always"
                                                                    : "never") != "never") {}
  void decode_chain(DecodePieces& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      // The tokenizers crate drops every replacement character of the first token, not only
      // a leading one; parity matters more than tidiness here.
      replace_literal_into(tokens.scratch(), tokens[i], replacement_, i == 0 && strip_first_ ? "" : " ");
      tokens.replace_with_scratch(i);
    }
  }

 private:
  std::string replacement_;
  bool strip_first_;
};

// Runs of <0xNN> tokens become their bytes when those form valid UTF-8, else one U+FFFD per
// token. Rewrites in place: a run of k tokens never yields more than k pieces.
class ByteFallback final : public Decoder {
 public:
  void decode_chain(DecodePieces& tokens) const override {
    std::string& pending = tokens.scratch();
    size_t written = 0, pending_count = 0;
    const auto flush = [&] {
      if (pending_count == 0) return;
      if (utf8::is_valid(pending)) {
        tokens[written++].assign(pending);
      } else {
        for (size_t i = 0; i < pending_count; ++i) tokens[written++].assign("\xEF\xBF\xBD");
      }
      pending.clear();
      pending_count = 0;
    };
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (const int byte = parse_byte(tokens[i]); byte >= 0) {
        pending.push_back(static_cast<char>(byte));
        ++pending_count;
      } else {
        flush();
        if (written != i) tokens[written].assign(tokens[i]);
        ++written;
      }
    }
    flush();
    tokens.truncate(written);
  }

 private:
  static int parse_byte(const std::string& t) {
    if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return -1;
    const auto hex = [](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = hex(t[3]), lo = hex(t[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  }
};

class Fuse final : public Decoder {
 public:
  void decode_chain(DecodePieces& tokens) const override { join_into_first(tokens); }
};

class Strip final : public Decoder {
 public:
  Strip(const nlohmann::json& j, const std::string& where)
      : content_(json_util::require_string(j, "content", where)),
        start_(j.value("start", size_t{0})),
        stop_(j.value("stop", size_t{0})) {}
  void decode_chain(DecodePieces& tokens) const override {
    for (auto& t : tokens.pieces()) {
      size_t begin = 0, end = t.size();
      for (size_t i = 0; i < start_ && t.compare(begin, content_.size(), content_) == 0 && begin < end; ++i) {
        begin += content_.size();
      }
      for (size_t i = 0; i < stop_ && end >= begin + content_.size() &&
                         t.compare(end - content_.size(), content_.size(), content_) == 0;
           ++i) {
        end -= content_.size();
      }
      t.erase(end);
      t.erase(0, begin);
    }
  }

 private:
  std::string content_;
  size_t start_, stop_;
};

class Replace final : public Decoder {
 public:
  Replace(const nlohmann::json& j, const std::string& where)
      : pattern_(json_util::require(j, "pattern", where), where + ".pattern"),
        content_(json_util::require_string(j, "content", where)) {}
  void decode_chain(DecodePieces& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      pattern_.replace_all_into(tokens.scratch(), tokens[i], content_);
      tokens.replace_with_scratch(i);
    }
  }

 private:
  Pattern pattern_;
  std::string content_;
};

// BERT's detokenisation tidy-up (" ." -> "." and friends), applied per token like the crate.
void cleanup(DecodePieces& tokens, size_t i) {
  static const std::pair<const char*, const char*> kRules[] = {
      {" .", "."},   {" ?", "?"},   {" !", "!"},           {" ,", ","},     {" ' ", "'"},     {" n't", "n't"},
      {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : kRules) {
    if (tokens[i].find(from) == std::string::npos) continue;
    replace_literal_into(tokens.scratch(), tokens[i], from, to);
    tokens.replace_with_scratch(i);
  }
}

class WordPiece final : public Decoder {
 public:
  explicit WordPiece(const nlohmann::json& j)
      : prefix_(json_util::string_or(j, "prefix", "##")), cleanup_(json_util::bool_or(j, "cleanup", true)) {}
  void decode_chain(DecodePieces& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      auto& t = tokens[i];
      if (i > 0 && t.starts_with(prefix_)) {
        t.erase(0, prefix_.size());
      } else if (i > 0) {
        t.insert(0, 1, ' ');
      }
      if (cleanup_) cleanup(tokens, i);
    }
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

class BpeSuffix final : public Decoder {
 public:
  explicit BpeSuffix(const nlohmann::json& j) : suffix_(json_util::string_or(j, "suffix", "</w>")) {}
  void decode_chain(DecodePieces& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      replace_literal_into(tokens.scratch(), tokens[i], suffix_, i + 1 == tokens.size() ? "" : " ");
      tokens.replace_with_scratch(i);
    }
  }

 private:
  std::string suffix_;
};

class Sequence final : public Decoder {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Decoder>> parts) : parts_(std::move(parts)) {}
  void decode_chain(DecodePieces& tokens) const override {
    for (const auto& p : parts_) p->decode_chain(tokens);
  }

 private:
  std::vector<std::unique_ptr<Decoder>> parts_;
};

}  // namespace

std::unique_ptr<Decoder> make_decoder(const nlohmann::json& j, const std::string& where) {
  if (j.is_null()) return nullptr;
  const std::string type = json_util::type_of(j, where);
  if (type == "ByteLevel") return std::make_unique<ByteLevel>();
  if (type == "Metaspace") return std::make_unique<Metaspace>(j);
  if (type == "ByteFallback") return std::make_unique<ByteFallback>();
  if (type == "Fuse") return std::make_unique<Fuse>();
  if (type == "Strip") return std::make_unique<Strip>(j, where);
  if (type == "Replace") return std::make_unique<Replace>(j, where);
  if (type == "WordPiece") return std::make_unique<WordPiece>(j);
  if (type == "BPEDecoder") return std::make_unique<BpeSuffix>(j);
  if (type == "Sequence") {
    return std::make_unique<Sequence>(json_util::make_each<Decoder>(j, "decoders", where, make_decoder));
  }
  json_util::unknown_type(where, type);
}

}  // namespace onnxgen::tokenizer

