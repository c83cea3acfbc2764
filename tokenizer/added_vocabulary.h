#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model.h"
#include "string_map.h"

namespace onnxgen::tokenizer {

class Normalizer;

// One entry of tokenizer.json's "added_tokens".
struct AddedToken {
  std::string content;
  // What decoding shows: the content as the normalizer rewrites it when `normalized` is set,
  // which is the form the tokenizers crate reports for such tokens.
  std::string decoded;
  int32_t id = 0;
  bool special = false;
  bool lstrip = false;
  bool rstrip = false;
  bool single_word = false;
  bool normalized = false;
};

// A stretch of input that is either an added token (id >= 0) or normalized text for the model.
struct TextSegment {
  std::string text;
  int32_t id = -1;
  bool at_start = false;
};

// Finds added tokens in input text before any other processing, as the tokenizers crate does:
// first tokens matched against raw text (normalized: false), then, after normalizing the rest,
// tokens matched against normalized text.
class AddedVocabulary {
 public:
  AddedVocabulary(const nlohmann::json& added_tokens, const Normalizer* normalizer, const std::string& where);
  ~AddedVocabulary();

  std::vector<TextSegment> split(std::string_view text, const Normalizer* normalizer) const;

  const AddedToken* by_id(int32_t id) const;
  std::optional<int32_t> find(std::string_view content) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  class Matcher;
  std::vector<TextSegment> split_with(const Matcher& matcher, std::string text, bool at_start) const;

  std::vector<AddedToken> tokens_;
  std::unordered_map<int32_t, size_t> index_by_id_;
  StringMap<int32_t> id_by_content_;
  std::unique_ptr<Matcher> raw_;
  std::unique_ptr<Matcher> normalized_;
};

}  // namespace onnxgen::tokenizer
