#include "hf_tokenizer.h"

#include <algorithm>

#include "json_util.h"
#include "utf8.h"

namespace onnxgen::tokenizer {

HfTokenizer::HfTokenizer(const nlohmann::json& j, TokenizerConfig config) {
  if (!j.is_object()) json_util::fail("tokenizer", "expected a JSON object");
  config_ = std::move(config);
  const auto field = [&](const char* key) { return j.value(key, nlohmann::json()); };
  normalizer_ = make_normalizer(field("normalizer"), "normalizer");
  pre_tokenizer_ = make_pre_tokenizer(field("pre_tokenizer"), "pre_tokenizer");
  model_ = make_model(json_util::require(j, "model", "tokenizer"), "model");
  post_processor_ = make_post_processor(field("post_processor"), "post_processor");
  decoder_ = make_decoder(field("decoder"), "decoder");
  added_ = std::make_unique<AddedVocabulary>(field("added_tokens"), normalizer_.get(), "added_tokens");

  // What the file's post-processor adds tells the defaults for add_bos/add_eos.
  const auto probe = post_processor_ ? post_processor_->process({}) : std::vector<int32_t>{};
  const auto bos = config_.bos_token ? token_to_id(*config_.bos_token) : std::nullopt;
  const auto eos = config_.eos_token ? token_to_id(*config_.eos_token) : std::nullopt;
  const auto in_probe = [&](std::optional<int32_t> id) {
    return id.has_value() && std::find(probe.begin(), probe.end(), id.value_or(-1)) != probe.end();
  };
  post_processor_adds_bos_ = in_probe(bos);
  post_processor_adds_eos_ = in_probe(eos);
  resolve_special_tokens(post_processor_adds_bos_, post_processor_adds_eos_);
}

std::unique_ptr<HfTokenizer> HfTokenizer::from_file(const std::filesystem::path& file, TokenizerConfig config) {
  const auto j = read_json_file(file);
  try {
    return std::make_unique<HfTokenizer>(j, std::move(config));
  } catch (const Error& e) {
    throw Error(file.string() + ": " + e.what());
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string() + ": unexpected JSON content: " + e.what());
  }
}

std::vector<int32_t> HfTokenizer::encode(std::string_view text, bool add_special_tokens) const {
  const std::string valid = utf8::to_valid_lossy(text);
  std::vector<int32_t> ids;
  ids.reserve(valid.size() / 3 + 4);
  std::vector<Piece> pieces;
  for (auto& seg : added_->split(valid, normalizer_.get())) {
    if (seg.id >= 0) {
      ids.push_back(seg.id);
      continue;
    }
    pieces.clear();
    pieces.push_back({std::move(seg.text), seg.at_start});
    if (pre_tokenizer_) pre_tokenizer_->pre_tokenize(pieces);
    for (const auto& p : pieces) model_->tokenize(p.text, ids);
  }
  return add_special_tokens ? add_special(std::move(ids)) : ids;
}

std::vector<int32_t> HfTokenizer::add_special(std::vector<int32_t> ids) const {
  if (post_processor_) ids = post_processor_->process(std::move(ids));
  // tokenizer_config.json's add_bos_token/add_eos_token override the file's post-processor, as
  // transformers rebuilds the post-processor from them.
  if (special_.bos && special_.add_bos != post_processor_adds_bos_) {
    if (special_.add_bos) {
      ids.insert(ids.begin(), *special_.bos);
    } else if (!ids.empty() && ids.front() == *special_.bos) {
      ids.erase(ids.begin());
    }
  }
  if (!special_.eos.empty() && special_.add_eos != post_processor_adds_eos_) {
    if (special_.add_eos) {
      ids.push_back(special_.eos.front());
    } else if (!ids.empty() && ids.back() == special_.eos.front()) {
      ids.pop_back();
    }
  }
  return ids;
}

namespace {

// Room a token's text can need once decoded: three bytes per byte where invalid bytes become
// U+FFFD, plus a separator.
size_t decoded_bound(std::string_view token) { return 3 * token.size() + 1; }

// Reserved at least, so that the short windows of streaming settle on their buffers at once
// instead of growing them whenever a window is longer than every one before.
constexpr size_t kMinTextBytes = 1024;
constexpr size_t kMinPieceBytes = 64;

}  // namespace

void HfTokenizer::decode_into(std::string& out, std::span<const int32_t> ids, bool skip_special_tokens) const {
  // Reused between calls: streaming decodes a few tokens per generated token, and fresh strings
  // would be heap allocations in every decode step.
  thread_local DecodePieces tokens;
  thread_local std::vector<std::string_view> texts;
  texts.clear();
  size_t text_bytes = 0;
  for (const int32_t id : ids) {
    std::optional<std::string_view> t;
    if (const AddedToken* added = added_->by_id(id)) {
      if (!(skip_special_tokens && added->special)) t = added->decoded;
    } else {
      t = model_->vocabulary().token(id);
    }
    if (!t) continue;
    texts.push_back(*t);
    text_bytes += decoded_bound(*t);
  }
  text_bytes = std::max(text_bytes, kMinTextBytes);
  tokens.reset(text_bytes);
  for (const std::string_view t : texts) tokens.add(std::max(decoded_bound(t), kMinPieceBytes)).assign(t);
  out.clear();
  out.reserve(text_bytes);
  if (decoder_) {
    decoder_->decode_chain(tokens);
    for (const auto& t : tokens.pieces()) out += t;
    return;
  }
  for (size_t i = 0; i < tokens.size(); ++i) out.append(i ? " " : "").append(tokens[i]);
}

std::optional<int32_t> HfTokenizer::token_to_id(std::string_view token) const {
  if (const auto id = added_->find(token)) return id;
  return model_->vocabulary().find(token);
}

std::optional<std::string> HfTokenizer::id_to_token(int32_t id) const {
  if (const AddedToken* added = added_->by_id(id)) return added->decoded;
  if (const auto t = model_->vocabulary().token(id)) return std::string(*t);
  return std::nullopt;
}

size_t HfTokenizer::vocab_size() const {
  size_t n = model_->vocabulary().size();
  for (const auto& t : added_->tokens()) n = std::max(n, static_cast<size_t>(t.id) + 1);
  return n;
}

bool HfTokenizer::is_special(int32_t id) const {
  const AddedToken* added = added_->by_id(id);
  return added && added->special;
}

}  // namespace onnxgen::tokenizer
