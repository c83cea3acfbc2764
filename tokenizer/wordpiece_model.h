#pragma once

#include "model.h"

namespace onnxgen::tokenizer {

// BERT's WordPiece: greedy longest-match-first with a continuation prefix ("##").
class WordPieceModel final : public Model {
 public:
  WordPieceModel(const nlohmann::json& j, const std::string& where);
  void tokenize(std::string_view word, std::vector<int32_t>& out) const override;

 private:
  std::string prefix_;
  int32_t unk_id_ = 0;
  size_t max_chars_ = 100;
};

}  // namespace onnxgen::tokenizer
