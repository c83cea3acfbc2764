#include "decoders.h"

#include "byte_level.h"
#include "json_util.h"
#include "pattern.h"
#include "utf8.h"

namespace onnxgen::tokenizer {

namespace {

std::string join(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) out += t;
  return out;
}

class ByteLevel final : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string bytes;
    for (const auto& t : tokens) bytes += byte_level::decode_token(t);
    tokens = {utf8::to_valid_lossy(bytes)};
  }
};

class Metaspace final : public Decoder {
 public:
  explicit Metaspace(const nlohmann::json& j)
      : replacement_(json_util::string_or(j, "replacement", "\u2581")),
        strip_first_(json_util::string_or(j, "prepend_scheme", json_util::bool_or(j, "add_prefix_space", true)
                                                                    ? "always"
                                                                    : "never") != "never") {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      // The tokenizers crate drops every replacement character of the first token, not only
      // a leading one; parity matters more than tidiness here.
      tokens[i] = replace_literal(tokens[i], replacement_, i == 0 && strip_first_ ? "" : " ");
    }
  }

 private:
  std::string replacement_;
  bool strip_first_;
};

class ByteFallback final : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    std::string pending;
    size_t pending_count = 0;
    const auto flush = [&] {
      if (pending_count == 0) return;
      if (utf8::to_valid_lossy(pending) == pending) {
        out.push_back(pending);
      } else {
        for (size_t i = 0; i < pending_count; ++i) out.emplace_back("\xEF\xBF\xBD");
      }
      pending.clear();
      pending_count = 0;
    };
    for (auto& t : tokens) {
      if (const int byte = parse_byte(t); byte >= 0) {
        pending.push_back(static_cast<char>(byte));
        ++pending_count;
      } else {
        flush();
        out.push_back(std::move(t));
      }
    }
    flush();
    tokens = std::move(out);
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
  void decode_chain(std::vector<std::string>& tokens) const override { tokens = {join(tokens)}; }
};

class Strip final : public Decoder {
 public:
  Strip(const nlohmann::json& j, const std::string& where)
      : content_(json_util::require_string(j, "content", where)),
        start_(j.value("start", size_t{0})),
        stop_(j.value("stop", size_t{0})) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (auto& t : tokens) {
      size_t begin = 0, end = t.size();
      for (size_t i = 0; i < start_ && t.compare(begin, content_.size(), content_) == 0 && begin < end; ++i) {
        begin += content_.size();
      }
      for (size_t i = 0; i < stop_ && end >= begin + content_.size() &&
                         t.compare(end - content_.size(), content_.size(), content_) == 0;
           ++i) {
        end -= content_.size();
      }
      t = t.substr(begin, end - begin);
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
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (auto& t : tokens) t = pattern_.replace_all(t, content_);
  }

 private:
  Pattern pattern_;
  std::string content_;
};

// BERT's detokenisation tidy-up (" ." -> "." and friends), applied per token like the crate.
std::string cleanup(std::string s) {
  static const std::pair<const char*, const char*> kRules[] = {
      {" .", "."},   {" ?", "?"},   {" !", "!"},           {" ,", ","},     {" ' ", "'"},     {" n't", "n't"},
      {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : kRules) s = replace_literal(s, from, to);
  return s;
}

class WordPiece final : public Decoder {
 public:
  explicit WordPiece(const nlohmann::json& j)
      : prefix_(json_util::string_or(j, "prefix", "##")), cleanup_(json_util::bool_or(j, "cleanup", true)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      auto& t = tokens[i];
      if (i > 0 && t.rfind(prefix_, 0) == 0) {
        t.erase(0, prefix_.size());
      } else if (i > 0) {
        t.insert(0, 1, ' ');
      }
      if (cleanup_) t = cleanup(std::move(t));
    }
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

class BpeSuffix final : public Decoder {
 public:
  explicit BpeSuffix(const nlohmann::json& j) : suffix_(json_util::string_or(j, "suffix", "</w>")) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      tokens[i] = replace_literal(tokens[i], suffix_, i + 1 == tokens.size() ? "" : " ");
    }
  }

 private:
  std::string suffix_;
};

class Sequence final : public Decoder {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Decoder>> parts) : parts_(std::move(parts)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
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

