#pragma once

#include <memory>

#include "added_vocabulary.h"
#include "decoders.h"
#include "model.h"
#include "normalizers.h"
#include "post_processors.h"
#include "pre_tokenizers.h"
#include "tokenizer.h"

namespace onnxgen::tokenizer {

// A Hugging Face tokenizer.json pipeline: added tokens, normalizer, pre-tokenizer, model,
// post-processor; and decoder on the way back.
class HfTokenizer final : public Tokenizer {
 public:
  HfTokenizer(const nlohmann::json& j, TokenizerConfig config);
  static std::unique_ptr<HfTokenizer> from_file(const std::filesystem::path& file, TokenizerConfig config);

  std::vector<int32_t> encode(std::string_view text, bool add_special_tokens = true) const override;
  void decode_into(std::string& out, std::span<const int32_t> ids, bool skip_special_tokens) const override;
  std::optional<int32_t> token_to_id(std::string_view token) const override;
  std::optional<std::string> id_to_token(int32_t id) const override;
  size_t vocab_size() const override;
  bool is_special(int32_t id) const override;

 private:
  std::vector<int32_t> add_special(std::vector<int32_t> ids) const;

  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<PostProcessor> post_processor_;
  std::unique_ptr<Decoder> decoder_;
  std::unique_ptr<AddedVocabulary> added_;
  bool post_processor_adds_bos_ = false;
  bool post_processor_adds_eos_ = false;
};

}  // namespace onnxgen::tokenizer
