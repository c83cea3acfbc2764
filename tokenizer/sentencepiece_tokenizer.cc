#include "sentencepiece_tokenizer.h"

#include <sentencepiece_processor.h>

namespace onnxgen::tokenizer {

namespace {

constexpr std::string_view kMetaSpace = "\xE2\x96\x81";

}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer(const std::filesystem::path& model_file, TokenizerConfig config)
    : sp_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {
  config_ = std::move(config);
  if (const auto status = sp_->Load(model_file.string()); !status.ok()) {
    throw Error(model_file.string() + ": not a SentencePiece model: " + status.ToString());
  }
  if (!config_.bos_token && sp_->bos_id() >= 0) config_.bos_token = sp_->IdToPiece(sp_->bos_id());
  if (!config_.eos_token && sp_->eos_id() >= 0) config_.eos_token = sp_->IdToPiece(sp_->eos_id());
  if (!config_.unk_token && sp_->unk_id() >= 0) config_.unk_token = sp_->IdToPiece(sp_->unk_id());
  // Llama-family tokenizer classes put bos first unless told otherwise.
  resolve_special_tokens(sp_->bos_id() >= 0, false);
}

SentencePieceTokenizer::~SentencePieceTokenizer() = default;

std::vector<int32_t> SentencePieceTokenizer::encode(std::string_view text, bool add_special_tokens) const {
  std::vector<int> pieces;
  if (const auto status = sp_->Encode(text, &pieces); !status.ok()) {
    throw Error("SentencePiece encode failed: " + status.ToString());
  }
  std::vector<int32_t> ids(pieces.begin(), pieces.end());
  if (add_special_tokens && special_.add_bos && special_.bos) ids.insert(ids.begin(), *special_.bos);
  if (add_special_tokens && special_.add_eos && !special_.eos.empty()) ids.push_back(special_.eos.front());
  return ids;
}

std::string SentencePieceTokenizer::decode(std::span<const int32_t> ids, bool skip_special_tokens) const {
  // libsentencepiece drops control pieces (<s>, </s>); Hugging Face prints them unless skipped,
  // so ordinary runs are decoded by the library and control pieces spliced in between. A run
  // after a control piece keeps the space its first "▁" stands for.
  std::string out;
  std::vector<int> run;
  const auto flush = [&] {
    if (run.empty()) return;
    std::string text;
    sp_->Decode(run, &text);
    if (!out.empty() && sp_->IdToPiece(run.front()).starts_with(kMetaSpace)) out.push_back(' ');
    out += text;
    run.clear();
  };
  const int size = sp_->GetPieceSize();
  for (const int32_t id : ids) {
    if (id < 0 || id >= size) continue;
    if (!sp_->IsControl(id)) {
      run.push_back(id);
      continue;
    }
    flush();
    if (!skip_special_tokens) out += sp_->IdToPiece(id);
  }
  flush();
  return out;
}

std::optional<int32_t> SentencePieceTokenizer::token_to_id(std::string_view token) const {
  const int id = sp_->PieceToId(token);
  if (id == sp_->unk_id() && sp_->IdToPiece(id) != token) return std::nullopt;
  return id;
}

std::optional<std::string> SentencePieceTokenizer::id_to_token(int32_t id) const {
  if (id < 0 || id >= sp_->GetPieceSize()) return std::nullopt;
  return sp_->IdToPiece(id);
}

size_t SentencePieceTokenizer::vocab_size() const { return static_cast<size_t>(sp_->GetPieceSize()); }

bool SentencePieceTokenizer::is_special(int32_t id) const {
  return id >= 0 && id < sp_->GetPieceSize() && (sp_->IsControl(id) || sp_->IsUnknown(id));
}

}  // namespace onnxgen::tokenizer
