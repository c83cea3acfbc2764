#pragma once

#include <memory>

#include "tokenizer.h"

struct OnnxgenSentencePiece;

namespace onnxgen::tokenizer {

struct SentencePieceLibrary;

// A SentencePiece tokenizer.model through libsentencepiece itself, so its segmentation is the
// reference one by construction. libsentencepiece is reached through sentencepiece_bridge.h.
class SentencePieceTokenizer final : public Tokenizer {
 public:
  SentencePieceTokenizer(const std::filesystem::path& model_file, TokenizerConfig config);
  ~SentencePieceTokenizer() override;

  std::vector<int32_t> encode(std::string_view text, bool add_special_tokens = true) const override;
  // libsentencepiece allocates inside its own decode; only `out`'s buffer is reused here.
  void decode_into(std::string& out, std::span<const int32_t> ids, bool skip_special_tokens) const override;
  std::optional<int32_t> token_to_id(std::string_view token) const override;
  std::optional<std::string> id_to_token(int32_t id) const override;
  size_t vocab_size() const override;
  bool is_special(int32_t id) const override;

 private:
  std::string piece(int id) const;
  std::string decode_run(const std::vector<int>& ids) const;

  const SentencePieceLibrary& lib_;
  OnnxgenSentencePiece* sp_ = nullptr;
  int size_ = 0;
};

}  // namespace onnxgen::tokenizer
