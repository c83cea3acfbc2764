#include "unigram_model.h"

#include <algorithm>
#include <limits>

#include "error.h"
#include "json_util.h"
#include "utf8.h"

namespace onnxgen::tokenizer {

namespace {

// The tokenizers crate scores an unknown character this far below the rarest known piece.
constexpr double kUnknownPenalty = 10.0;

}  // namespace

UnigramModel::UnigramModel(const nlohmann::json& j, const std::string& where) {
  const auto& vocab = json_util::require(j, "vocab", where);
  if (!vocab.is_array()) json_util::fail(where, "'vocab' must be an array of [piece, score]");
  min_score_ = std::numeric_limits<double>::max();
  for (size_t i = 0; i < vocab.size(); ++i) {
    const auto& e = vocab[i];
    if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number()) {
      json_util::fail(where + ".vocab[" + std::to_string(i) + "]", "expected [piece, score]");
    }
    const auto& piece = e[0].get_ref<const std::string&>();
    vocab_.add(piece, static_cast<int32_t>(i));
    scores_.push_back(e[1].get<double>());
    min_score_ = std::min(min_score_, scores_.back());
    max_piece_bytes_ = std::max(max_piece_bytes_, piece.size());
  }
  if (const auto it = j.find("unk_id"); it != j.end() && it->is_number_integer()) {
    const auto id = it->get<int64_t>();
    if (id < 0 || static_cast<size_t>(id) >= scores_.size()) json_util::fail(where, "unk_id is out of range");
    unk_id_ = static_cast<int32_t>(id);
  }
  byte_fallback_ = json_util::bool_or(j, "byte_fallback", false);
  byte_ids_ = vocab_.byte_ids();
}

void UnigramModel::tokenize(std::string_view text, std::vector<int32_t>& out) const {
  if (text.empty()) return;
  struct Best {
    double score = 0;
    int32_t id = -1;
    size_t start = 0;
    bool reached = false;
  };
  const size_t n = text.size();
  std::vector<Best> best(n + 1);
  best[0].reached = true;
  const double unk_score = min_score_ - kUnknownPenalty;
  const auto relax = [&](size_t begin, size_t end, int32_t id, double score) {
    const double candidate = best[begin].score + score;
    if (!best[end].reached || candidate > best[end].score) best[end] = {candidate, id, begin, true};
  };
  for (size_t begin = 0; begin < n;) {
    const size_t char_len = utf8::sequence_length(static_cast<unsigned char>(text[begin]));
    bool has_single = false;
    for (size_t end = begin + char_len; end <= n && end - begin <= max_piece_bytes_;) {
      if (const auto id = vocab_.find(text.substr(begin, end - begin))) {
        relax(begin, end, *id, scores_[*id]);
        has_single = has_single || end - begin == char_len;
      }
      if (end == n) break;
      end += utf8::sequence_length(static_cast<unsigned char>(text[end]));
    }
    if (!has_single) {
      if (!unk_id_) throw Error("Unigram model has no unk_id for unknown text '" + std::string(text) + "'");
      relax(begin, begin + char_len, *unk_id_, unk_score);
    }
    begin += char_len;
  }

  // Walk back along the best path; runs of unknown characters fuse into one piece.
  std::vector<std::pair<size_t, size_t>> spans;
  std::vector<bool> unknown;
  for (size_t end = n; end > 0;) {
    const Best& b = best[end];
    const bool is_unk = unk_id_ && b.id == *unk_id_;
    if (is_unk && !unknown.empty() && unknown.back()) {
      spans.back().first = b.start;
    } else {
      spans.emplace_back(b.start, end);
      unknown.push_back(is_unk);
    }
    end = b.start;
  }
  for (size_t i = spans.size(); i-- > 0;) {
    const std::string_view s = text.substr(spans[i].first, spans[i].second - spans[i].first);
    if (!unknown[i]) {
      out.push_back(*vocab_.find(s));
      continue;
    }
    const bool bytes_known =
        byte_fallback_ && std::all_of(s.begin(), s.end(), [&](char c) { return byte_ids_[static_cast<unsigned char>(c)] >= 0; });
    if (bytes_known) {
      for (const char c : s) out.push_back(byte_ids_[static_cast<unsigned char>(c)]);
    } else {
      out.push_back(*unk_id_);
    }
  }
}

}  // namespace onnxgen::tokenizer
