#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace onnxgen::tokenizer {

// A span of text headed for the model. `at_start` says it begins the original input, which
// Metaspace's prepend_scheme "first" depends on.
struct Piece {
  std::string text;
  bool at_start = false;
};

// A tokenizer.json "pre_tokenizer": splits (and for ByteLevel, re-encodes) pieces.
class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  void pre_tokenize(std::vector<Piece>& pieces) const;

 protected:
  virtual void split(Piece&& piece, std::vector<Piece>& out) const = 0;
  friend class PreTokenizerSequence;
};

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const nlohmann::json& j, const std::string& where);

}  // namespace onnxgen::tokenizer
