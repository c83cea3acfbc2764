#include "added_vocabulary.h"

#include <array>

#include "json_util.h"
#include "normalizers.h"
#include "utf8.h"

namespace onnxgen::tokenizer {

// Leftmost-longest multi-pattern search (what the tokenizers crate asks of aho-corasick) over a
// byte trie; the root is a flat table because nearly every input position fails there.
class AddedVocabulary::Matcher {
 public:
  void add(std::string_view pattern, size_t token_index) {
    if (pattern.empty()) return;
    int32_t node = 0;
    for (const char c : pattern) {
      const auto byte = static_cast<unsigned char>(c);
      int32_t child = child_of(node, byte);
      if (child < 0) {
        child = static_cast<int32_t>(nodes_.size());
        nodes_.emplace_back();
        if (node == 0) {
          root_[byte] = child;
        } else {
          nodes_[node].children.emplace_back(byte, child);
        }
      }
      node = child;
    }
    if (nodes_[node].token < 0) nodes_[node].token = static_cast<int32_t>(token_index);
  }

  bool empty() const { return nodes_.size() == 1; }

  struct Match {
    size_t begin, end, token;
  };

  std::optional<Match> find(std::string_view text, size_t from) const {
    for (size_t begin = from; begin < text.size(); ++begin) {
      int32_t node = root_[static_cast<unsigned char>(text[begin])];
      std::optional<Match> best;
      for (size_t i = begin + 1; node >= 0; ++i) {
        if (nodes_[node].token >= 0) best = Match{begin, i, static_cast<size_t>(nodes_[node].token)};
        if (i >= text.size()) break;
        node = child_of(node, static_cast<unsigned char>(text[i]));
      }
      if (best) return best;
    }
    return std::nullopt;
  }

 private:
  struct Node {
    int32_t token = -1;
    std::vector<std::pair<unsigned char, int32_t>> children;
  };

  int32_t child_of(int32_t node, unsigned char byte) const {
    if (node == 0) return root_[byte];
    for (const auto& [b, child] : nodes_[node].children)
      if (b == byte) return child;
    return -1;
  }

  std::vector<Node> nodes_ = std::vector<Node>(1);
  std::array<int32_t, 256> root_ = [] {
    std::array<int32_t, 256> r;
    r.fill(-1);
    return r;
  }();
};

namespace {

bool is_word_char(char32_t c) { return utf8::is_alphanumeric(c) || c == '_'; }

char32_t last_char(std::string_view s) {
  size_t start = s.size() - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
  return utf8::next(s, start);
}

// Start of the run of whitespace that ends at `end`.
size_t whitespace_run_start(std::string_view s, size_t end) {
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t pos = start;
    if (!utf8::is_whitespace(utf8::next(s, pos))) break;
    end = start;
  }
  return end;
}

size_t whitespace_run_end(std::string_view s, size_t begin) {
  while (begin < s.size()) {
    size_t pos = begin;
    if (!utf8::is_whitespace(utf8::next(s, pos))) break;
    begin = pos;
  }
  return begin;
}

}  // namespace

AddedVocabulary::AddedVocabulary(const nlohmann::json& added_tokens, const Normalizer* normalizer,
                                 const std::string& where)
    : raw_(std::make_unique<Matcher>()), normalized_(std::make_unique<Matcher>()) {
  if (!added_tokens.is_null() && !added_tokens.is_array()) json_util::fail(where, "must be an array");
  for (size_t i = 0; i < added_tokens.size(); ++i) {
    const auto& t = added_tokens[i];
    const std::string at = where + "[" + std::to_string(i) + "]";
    const auto& id = json_util::require(t, "id", at);
    if (!id.is_number_integer() || id.get<int64_t>() < 0) json_util::fail(at, "'id' must be a non-negative integer");
    AddedToken token{json_util::require_string(t, "content", at),
                     std::string(),
                     id.get<int32_t>(),
                     json_util::bool_or(t, "special", false),
                     json_util::bool_or(t, "lstrip", false),
                     json_util::bool_or(t, "rstrip", false),
                     json_util::bool_or(t, "single_word", false),
                     json_util::bool_or(t, "normalized", !json_util::bool_or(t, "special", false))};
    index_by_id_[token.id] = tokens_.size();
    id_by_content_.set(token.content, token.id);
    tokens_.push_back(std::move(token));
  }
  for (size_t i = 0; i < tokens_.size(); ++i) {
    auto& t = tokens_[i];
    t.decoded = t.normalized && normalizer ? normalizer->normalize(t.content) : t.content;
    (t.normalized ? *normalized_ : *raw_).add(t.decoded, i);
  }
}

AddedVocabulary::~AddedVocabulary() = default;

const AddedToken* AddedVocabulary::by_id(int32_t id) const {
  const auto it = index_by_id_.find(id);
  return it == index_by_id_.end() ? nullptr : &tokens_[it->second];
}

std::optional<int32_t> AddedVocabulary::find(std::string_view content) const {
  const int32_t* id = id_by_content_.find(content);
  return id ? std::optional<int32_t>(*id) : std::nullopt;
}

std::vector<TextSegment> AddedVocabulary::split_with(const Matcher& matcher, std::string text, bool at_start) const {
  std::vector<TextSegment> out;
  if (matcher.empty()) {
    out.push_back({std::move(text), -1, at_start});
    return out;
  }
  const std::string_view s = text;
  size_t emitted = 0;
  for (size_t from = 0; auto m = matcher.find(s, from);) {
    from = m->end;
    const AddedToken& token = tokens_[m->token];
    size_t begin = m->begin, end = m->end;
    if (token.single_word) {
      const bool word_before = begin > 0 && is_word_char(last_char(s.substr(0, begin)));
      size_t after = end;
      const bool word_after = end < s.size() && is_word_char(utf8::next(s, after));
      if (word_before || word_after) continue;
    }
    if (token.lstrip) begin = std::max(whitespace_run_start(s, begin), emitted);
    if (token.rstrip) end = whitespace_run_end(s, end);
    if (emitted < begin) out.push_back({text.substr(emitted, begin - emitted), -1, at_start && emitted == 0});
    out.push_back({std::string(), token.id, at_start && begin == 0});
    emitted = end;
    from = end;
  }
  if (emitted < text.size()) out.push_back({text.substr(emitted), -1, at_start && emitted == 0});
  return out;
}

std::vector<TextSegment> AddedVocabulary::split(std::string_view text, const Normalizer* normalizer) const {
  std::vector<TextSegment> out;
  for (auto& seg : split_with(*raw_, std::string(text), true)) {
    if (seg.id >= 0) {
      out.push_back(std::move(seg));
      continue;
    }
    std::string normalized = normalizer ? normalizer->normalize(seg.text) : std::move(seg.text);
    for (auto& inner : split_with(*normalized_, std::move(normalized), seg.at_start)) out.push_back(std::move(inner));
  }
  return out;
}

}  // namespace onnxgen::tokenizer
