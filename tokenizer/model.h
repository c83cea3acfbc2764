#pragma once

#include <array>
#include <functional>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>


namespace onnxgen::tokenizer {

// Token string <-> id table shared by every model type. The texts sit back to back in one
// buffer, found by id through an (offset, size) per id; the string -> id direction is an
// open-addressing table of ids compared through those texts. A std::string per token (32 bytes
// before any text) and a node-based map keyed by a second copy of every string took several
// times the memory, and vocabularies of 150k-250k tokens are common.
class Vocabulary {
 public:
  // A text already present maps to the id added last.
  void add(std::string_view token, int32_t id);
  // Adds every entry of a {"token": id, ...} object (BPE and WordPiece files).
  void add_object(const nlohmann::json& vocab, const std::string& where);
  // Ids of the "<0x00>".."<0xFF>" byte-fallback tokens, -1 where absent.
  std::array<int32_t, 256> byte_ids() const;
  std::optional<int32_t> find(std::string_view token) const {
    if (index_.empty()) return std::nullopt;
    const int32_t id = index_[slot_of(token)];
    return id == kNone ? std::nullopt : std::optional<int32_t>(id);
  }
  // The text of `id`; empty when no token has that id. Valid until the next add().
  std::optional<std::string_view> token(int32_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= spans_.size() || spans_[static_cast<size_t>(id)].size == kAbsent)
      return std::nullopt;
    return text_of(id);
  }
  size_t size() const { return spans_.size(); }

 private:
  static constexpr int32_t kNone = -1;
  static constexpr uint32_t kAbsent = UINT32_MAX;
  struct Span {
    uint32_t offset = 0, size = kAbsent;
  };

  std::string_view text_of(int32_t id) const {
    const Span& s = spans_[static_cast<size_t>(id)];
    return std::string_view(text_).substr(s.offset, s.size);
  }
  // The slot holding `token`'s id, or the empty slot where it would go (linear probing).
  size_t slot_of(std::string_view token) const {
    const size_t mask = index_.size() - 1;
    size_t i = std::hash<std::string_view>{}(token) & mask;
    while (index_[i] != kNone && text_of(index_[i]) != token) i = (i + 1) & mask;
    return i;
  }
  void grow();

  std::string text_;
  std::vector<Span> spans_;
  std::vector<int32_t> index_;  // a power of two of slots, at most half of them used
  size_t indexed_ = 0;
};

// A tokenizer.json "model": turns one pre-tokenized piece into ids.
class Model {
 public:
  virtual ~Model() = default;
  virtual void tokenize(std::string_view piece, std::vector<int32_t>& out) const = 0;
  const Vocabulary& vocabulary() const { return vocab_; }

 protected:
  Vocabulary vocab_;
};

std::unique_ptr<Model> make_model(const nlohmann::json& j, const std::string& where);

}  // namespace onnxgen::tokenizer
