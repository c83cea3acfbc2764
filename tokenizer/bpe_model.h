#pragma once

#include <array>
#include <mutex>
#include <shared_mutex>

#include "merge_table.h"
#include "model.h"
#include "string_map.h"

namespace onnxgen::tokenizer {

// Byte-pair encoding as in the tokenizers crate: byte-level (GPT-2, Llama-3, Qwen) and
// SentencePiece-style with byte_fallback (Llama-2, Mistral, Gemma).
class BpeModel final : public Model {
 public:
  BpeModel(const nlohmann::json& j, const std::string& where);
  void tokenize(std::string_view piece, std::vector<int32_t>& out) const override;

 private:
  void add_merge(const std::string& a, const std::string& b, int32_t rank, const std::string& where);
  void initial_symbols(std::string_view piece, std::vector<int32_t>& ids) const;
  void merge(std::vector<int32_t>& ids) const;

  MergeTable merges_;
  std::string continuing_subword_prefix_;
  std::string end_of_word_suffix_;
  std::optional<int32_t> unk_id_;
  bool fuse_unk_ = false;
  bool byte_fallback_ = false;
  bool ignore_merges_ = false;
  std::array<int32_t, 256> byte_ids_{};

  // Natural text repeats the same words constantly; caching their ids is the main speed-up,
  // as in the tokenizers crate.
  mutable std::shared_mutex cache_mutex_;
  mutable StringMap<std::vector<int32_t>> cache_;
};

}  // namespace onnxgen::tokenizer
