#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "string_map.h"

namespace onnxgen::tokenizer {

// Token string <-> id table shared by every model type.
class Vocabulary {
 public:
  void add(std::string token, int32_t id);
  // Adds every entry of a {"token": id, ...} object (BPE and WordPiece files).
  void add_object(const nlohmann::json& vocab, const std::string& where);
  // Ids of the "<0x00>".."<0xFF>" byte-fallback tokens, -1 where absent.
  std::array<int32_t, 256> byte_ids() const;
  std::optional<int32_t> find(std::string_view token) const {
    const int32_t* id = ids_.find(token);
    return id ? std::optional<int32_t>(*id) : std::nullopt;
  }
  const std::string* token(int32_t id) const {
    return id >= 0 && static_cast<size_t>(id) < tokens_.size() && has_[id] ? &tokens_[id] : nullptr;
  }
  size_t size() const { return tokens_.size(); }

 private:
  StringMap<int32_t> ids_;
  std::vector<std::string> tokens_;
  std::vector<bool> has_;
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
