#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "tokenizer_config.h"

namespace onnxgen::tokenizer {

struct SpecialTokens {
  std::optional<int32_t> bos;
  std::vector<int32_t> eos;  // Any of these ends generation.
  std::optional<int32_t> pad;
  std::optional<int32_t> unk;
  std::optional<std::string> bos_text;
  std::optional<std::string> eos_text;
  bool add_bos = false;  // Whether encode(..., add_special_tokens=true) puts bos first.
  bool add_eos = false;
};

// Text <-> token ids for one model. Implementations: tokenizer.json (Hugging Face tokenizers
// format) and tokenizer.model (SentencePiece). Thread-safe for concurrent const use.
class Tokenizer {
 public:
  // `path` is a model/tokenizer directory (tokenizer.json preferred over tokenizer.model, with
  // tokenizer_config.json beside it) or one of those files. Throws Error naming the file at fault.
  static std::unique_ptr<Tokenizer> load(const std::filesystem::path& path);

  virtual ~Tokenizer() = default;

  virtual std::vector<int32_t> encode(std::string_view text, bool add_special_tokens = true) const = 0;
  std::string decode(std::span<const int32_t> ids, bool skip_special_tokens = false) const;
  // decode() written over `out`, whose buffer is reused: streaming decodes every generated token.
  virtual void decode_into(std::string& out, std::span<const int32_t> ids, bool skip_special_tokens) const = 0;

  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  virtual std::optional<std::string> id_to_token(int32_t id) const = 0;
  virtual size_t vocab_size() const = 0;
  virtual bool is_special(int32_t id) const = 0;

  const TokenizerConfig& config() const { return config_; }
  const SpecialTokens& special_tokens() const { return special_; }
  bool is_eos(int32_t id) const;

 protected:
  // Resolves the config's special-token strings to ids; `adds_bos`/`adds_eos` say what the
  // tokenizer file itself does when asked for special tokens.
  void resolve_special_tokens(bool adds_bos, bool adds_eos);

  TokenizerConfig config_;
  SpecialTokens special_;
};

}  // namespace onnxgen::tokenizer
