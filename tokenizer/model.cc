#include "model.h"

#include <algorithm>
#include <cstdio>

#include "bpe_model.h"
#include "error.h"
#include "json_util.h"
#include "unigram_model.h"
#include "wordpiece_model.h"

namespace onnxgen::tokenizer {

void Vocabulary::add(std::string_view token, int32_t id) {
  if (id < 0) throw Error("negative token id for '" + std::string(token) + "'");
  if (text_.size() + token.size() >= kAbsent) throw Error("vocabulary texts exceed 4 GiB");
  if (static_cast<size_t>(id) >= spans_.size()) spans_.resize(static_cast<size_t>(id) + 1);
  // A replaced text stays in the buffer unreferenced: ids are given a text once in real files.
  spans_[static_cast<size_t>(id)] = {static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(token.size())};
  text_.append(token);
  if ((indexed_ + 1) * 2 > index_.size()) grow();
  int32_t& slot = index_[slot_of(token)];
  if (slot == kNone) ++indexed_;
  slot = id;
}

void Vocabulary::grow() {
  std::vector<int32_t> old = std::move(index_);
  index_.assign(std::max<size_t>(16, old.size() * 2), kNone);
  for (const int32_t id : old)
    if (id != kNone) index_[slot_of(text_of(id))] = id;
}

void Vocabulary::add_object(const nlohmann::json& vocab, const std::string& where) {
  if (!vocab.is_object()) json_util::fail(where, "'vocab' must be an object of token -> id");
  size_t bytes = 0;
  for (const auto& [token, id] : vocab.items()) bytes += token.size();
  text_.reserve(text_.size() + bytes);
  spans_.reserve(spans_.size() + vocab.size());
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer()) json_util::fail(where + ".vocab", "id of '" + token + "' is not an integer");
    add(token, id.get<int32_t>());
  }
}

std::array<int32_t, 256> Vocabulary::byte_ids() const {
  std::array<int32_t, 256> ids;
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    ids[b] = find(name).value_or(-1);
  }
  return ids;
}

std::unique_ptr<Model> make_model(const nlohmann::json& j, const std::string& where) {
  std::string type = json_util::string_or(j, "type", "");
  // Old files omit the type; the fields present tell which model it is.
  if (type.empty() && j.is_object()) {
    if (j.contains("merges")) {
      type = "BPE";
    } else if (j.contains("vocab") && j["vocab"].is_array()) {
      type = "Unigram";
    } else if (j.contains("continuing_subword_prefix")) {
      type = "WordPiece";
    }
  }
  if (type == "BPE") return std::make_unique<BpeModel>(j, where);
  if (type == "Unigram") return std::make_unique<UnigramModel>(j, where);
  if (type == "WordPiece") return std::make_unique<WordPieceModel>(j, where);
  if (type.empty()) json_util::fail(where, "missing field 'type'");
  json_util::unknown_type(where, type);
}

}  // namespace onnxgen::tokenizer
