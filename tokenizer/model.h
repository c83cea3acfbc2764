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

// Token string <-> id table shared by every model type. Each token's text is stored once, by id;
// the string -> id direction is an open-addressing table of ids compared through that text (a
// node-based map keyed by a second copy of every string took three times the memory: 150k-token
// vocabularies are common).
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
  const std::string* token(int32_t id) const {
    return id >= 0 && static_cast<size_t>(id) < tokens_.size() && has_[id] ? &tokens_[id] : nullptr;
  }
  size_t size() const { return tokens_.size(); }

 private:
  static constexpr int32_t kNone = -1;
  // The slot holding `token`'s id, or the empty slot where it would go (linear probing).
  size_t slot_of(std::string_view token) const {
    const size_t mask = index_.size() - 1;
    size_t i = std::hash<std::string_view>{}(token) & mask;
    while (index_[i] != kNone && tokens_[static_cast<size_t>(index_[i])] != token) i = (i + 1) & mask;
    return i;
  }
  void grow();

  std::vector<std::string> tokens_;
  std::vector<bool> has_;
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
