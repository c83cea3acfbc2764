#include "wordpiece_model.h"

#include "json_util.h"
#include "utf8.h"

namespace onnxgen::tokenizer {

WordPieceModel::WordPieceModel(const nlohmann::json& j, const std::string& where) {
  vocab_.add_object(json_util::require(j, "vocab", where), where);
  prefix_ = json_util::string_or(j, "continuing_subword_prefix", "##");
  const std::string unk = json_util::string_or(j, "unk_token", "[UNK]");
  const auto unk_id = vocab_.find(unk);
  if (!unk_id) json_util::fail(where, "unk_token '" + unk + "' is not in the vocabulary");
  unk_id_ = *unk_id;
  if (const auto it = j.find("max_input_chars_per_word"); it != j.end() && it->is_number_unsigned()) {
    max_chars_ = it->get<size_t>();
  }
}

void WordPieceModel::tokenize(std::string_view word, std::vector<int32_t>& out) const {
  size_t chars = 0;
  for (size_t pos = 0; pos < word.size(); ++chars) pos += utf8::sequence_length(static_cast<unsigned char>(word[pos]));
  if (chars > max_chars_) {
    out.push_back(unk_id_);
    return;
  }
  std::vector<int32_t> pieces;
  std::string candidate;
  for (size_t start = 0; start < word.size();) {
    size_t end = word.size();
    std::optional<int32_t> found;
    while (start < end) {
      candidate.assign(start > 0 ? prefix_ : std::string()).append(word.substr(start, end - start));
      if ((found = vocab_.find(candidate))) break;
      do {
        --end;
      } while (end > start && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80);
    }
    if (!found) {
      out.push_back(unk_id_);
      return;
    }
    pieces.push_back(*found);
    start = end;
  }
  out.insert(out.end(), pieces.begin(), pieces.end());
}

}  // namespace onnxgen::tokenizer
