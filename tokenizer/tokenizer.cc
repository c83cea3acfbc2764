#include "tokenizer.h"

#include <algorithm>

#include "hf_tokenizer.h"
#include "sentencepiece_tokenizer.h"

namespace onnxgen::tokenizer {

std::unique_ptr<Tokenizer> Tokenizer::load(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  if (!fs::exists(path)) throw Error(path.string() + ": no such file or directory");
  const fs::path dir = fs::is_directory(path) ? path : path.parent_path();
  fs::path file = path;
  if (fs::is_directory(path)) {
    file = dir / "tokenizer.json";
    if (!fs::exists(file)) file = dir / "tokenizer.model";
    if (!fs::exists(file)) throw Error(path.string() + ": neither tokenizer.json nor tokenizer.model found");
  }
  auto config = TokenizerConfig::load_directory(dir);
  if (file.extension() == ".model") return std::make_unique<SentencePieceTokenizer>(file, std::move(config));
  return HfTokenizer::from_file(file, std::move(config));
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool skip_special_tokens) const {
  std::string out;
  decode_into(out, ids, skip_special_tokens);
  return out;
}

bool Tokenizer::is_eos(int32_t id) const {
  return std::find(special_.eos.begin(), special_.eos.end(), id) != special_.eos.end();
}

void Tokenizer::resolve_special_tokens(bool adds_bos, bool adds_eos) {
  const auto id_of = [this](const std::optional<std::string>& token) -> std::optional<int32_t> {
    return token ? token_to_id(*token) : std::nullopt;
  };
  special_.bos = id_of(config_.bos_token);
  special_.pad = id_of(config_.pad_token);
  special_.unk = id_of(config_.unk_token);
  special_.bos_text = config_.bos_token;
  special_.eos_text = config_.eos_token;
  special_.eos.clear();
  if (const auto eos = id_of(config_.eos_token)) special_.eos.push_back(*eos);
  for (const int32_t id : config_.generation_eos_ids) {
    if (!is_eos(id)) special_.eos.push_back(id);
  }
  special_.add_bos = config_.add_bos_token.value_or(adds_bos);
  special_.add_eos = config_.add_eos_token.value_or(adds_eos);
}

}  // namespace onnxgen::tokenizer
