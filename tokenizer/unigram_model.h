#pragma once

#include <array>

#include "model.h"

namespace onnxgen::tokenizer {

// SentencePiece's unigram language model: the segmentation with the best total log-probability.
class UnigramModel final : public Model {
 public:
  UnigramModel(const nlohmann::json& j, const std::string& where);
  void tokenize(std::string_view piece, std::vector<int32_t>& out) const override;

 private:
  std::vector<double> scores_;
  std::optional<int32_t> unk_id_;
  bool byte_fallback_ = false;
  double min_score_ = 0;
  size_t max_piece_bytes_ = 0;
  std::array<int32_t, 256> byte_ids_{};
};

}  // namespace onnxgen::tokenizer
