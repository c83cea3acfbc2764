#include "bpe_model.h"

#include <queue>

#include "json_util.h"
#include "utf8.h"

namespace onnxgen::tokenizer {

namespace {

constexpr size_t kCacheCapacity = 1 << 16;
constexpr size_t kMaxCachedPieceBytes = 256;

std::string optional_string(const nlohmann::json& j, std::string_view key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

BpeModel::BpeModel(const nlohmann::json& j, const std::string& where) {
  vocab_.add_object(json_util::require(j, "vocab", where), where);
  continuing_subword_prefix_ = optional_string(j, "continuing_subword_prefix");
  end_of_word_suffix_ = optional_string(j, "end_of_word_suffix");
  fuse_unk_ = json_util::bool_or(j, "fuse_unk", false);
  byte_fallback_ = json_util::bool_or(j, "byte_fallback", false);
  ignore_merges_ = json_util::bool_or(j, "ignore_merges", false);
  if (const auto unk = optional_string(j, "unk_token"); !unk.empty()) {
    unk_id_ = vocab_.find(unk);
    if (!unk_id_) json_util::fail(where, "unk_token '" + unk + "' is not in the vocabulary");
  }
  byte_ids_ = vocab_.byte_ids();

  const auto& merges = json_util::require(j, "merges", where);
  if (!merges.is_array()) json_util::fail(where, "'merges' must be an array");
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& m = merges[rank];
    const std::string at = where + ".merges[" + std::to_string(rank) + "]";
    if (m.is_string()) {
      const auto& line = m.get_ref<const std::string&>();
      const size_t space = line.find(' ');
      if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos) {
        json_util::fail(at, "merge '" + line + "' is not two tokens separated by one space");
      }
      add_merge(line.substr(0, space), line.substr(space + 1), static_cast<int32_t>(rank), at);
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      add_merge(m[0].get<std::string>(), m[1].get<std::string>(), static_cast<int32_t>(rank), at);
    } else {
      json_util::fail(at, "a merge must be \"a b\" or [\"a\", \"b\"]");
    }
  }
}

void BpeModel::add_merge(const std::string& a, const std::string& b, int32_t rank, const std::string& where) {
  const auto a_id = vocab_.find(a);
  const auto b_id = vocab_.find(b);
  if (!a_id || !b_id) json_util::fail(where, "merge refers to unknown token '" + (a_id ? b : a) + "'");
  const bool strip = !continuing_subword_prefix_.empty() && b.rfind(continuing_subword_prefix_, 0) == 0;
  const std::string merged = a + (strip ? b.substr(continuing_subword_prefix_.size()) : b);
  const auto new_id = vocab_.find(merged);
  if (!new_id) json_util::fail(where, "merged token '" + merged + "' is not in the vocabulary");
  merges_.insert(*a_id, *b_id, {rank, *new_id});
}

void BpeModel::initial_symbols(std::string_view piece, std::vector<int32_t>& ids) const {
  const bool affixes = !continuing_subword_prefix_.empty() || !end_of_word_suffix_.empty();
  std::string scratch;
  int32_t pending_unk = -1;
  const auto flush_unk = [&] {
    if (pending_unk >= 0) ids.push_back(pending_unk);
    pending_unk = -1;
  };
  for (size_t pos = 0; pos < piece.size();) {
    const size_t begin = pos;
    pos += utf8::sequence_length(static_cast<unsigned char>(piece[pos]));
    std::string_view symbol = piece.substr(begin, pos - begin);
    if (affixes) {
      scratch.assign(begin > 0 ? continuing_subword_prefix_ : std::string()).append(symbol);
      if (pos >= piece.size()) scratch.append(end_of_word_suffix_);
      symbol = scratch;
    }
    if (const auto id = vocab_.find(symbol)) {
      flush_unk();
      ids.push_back(*id);
      continue;
    }
    if (byte_fallback_) {
      bool all_bytes = true;
      for (const char c : symbol) all_bytes = all_bytes && byte_ids_[static_cast<unsigned char>(c)] >= 0;
      if (all_bytes) {
        flush_unk();
        for (const char c : symbol) ids.push_back(byte_ids_[static_cast<unsigned char>(c)]);
        continue;
      }
    }
    if (unk_id_) {
      if (!fuse_unk_) flush_unk();
      pending_unk = *unk_id_;
    }
  }
  flush_unk();
}

void BpeModel::merge(std::vector<int32_t>& ids) const {
  struct Symbol {
    int32_t id;
    int32_t prev, next;
    bool alive;
  };
  struct Candidate {
    int32_t rank, pos, new_id;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  const auto n = static_cast<int32_t>(ids.size());
  std::vector<Symbol> sym(ids.size());
  for (int32_t i = 0; i < n; ++i) sym[i] = {ids[i], i - 1, i + 1 < n ? i + 1 : -1, true};
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
  const auto consider = [&](int32_t left) {
    const int32_t right = sym[left].next;
    if (right < 0) return;
    if (const auto* m = merges_.find(sym[left].id, sym[right].id)) queue.push({m->rank, left, m->new_id});
  };
  for (int32_t i = 0; i + 1 < n; ++i) consider(i);
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    Symbol& left = sym[top.pos];
    if (!left.alive || left.next < 0) continue;
    Symbol& right = sym[left.next];
    const auto* m = merges_.find(left.id, right.id);
    // Entries go stale when a neighbour was merged away after they were queued.
    if (!m || m->new_id != top.new_id) continue;
    left.id = top.new_id;
    right.alive = false;
    left.next = right.next;
    if (right.next >= 0) sym[right.next].prev = top.pos;
    if (left.prev >= 0) consider(left.prev);
    consider(top.pos);
  }
  ids.clear();
  for (const auto& s : sym)
    if (s.alive) ids.push_back(s.id);
}

void BpeModel::tokenize(std::string_view piece, std::vector<int32_t>& out) const {
  if (piece.empty()) return;
  if (ignore_merges_) {
    if (const auto id = vocab_.find(piece)) {
      out.push_back(*id);
      return;
    }
  }
  const bool cacheable = piece.size() <= kMaxCachedPieceBytes;
  if (cacheable) {
    std::shared_lock lock(cache_mutex_);
    if (const auto* cached = cache_.find(piece)) {
      out.insert(out.end(), cached->begin(), cached->end());
      return;
    }
  }
  std::vector<int32_t> ids;
  ids.reserve(piece.size());
  initial_symbols(piece, ids);
  merge(ids);
  out.insert(out.end(), ids.begin(), ids.end());
  if (cacheable) {
    std::unique_lock lock(cache_mutex_);
    if (cache_.size() < kCacheCapacity) cache_.set(piece, std::move(ids));
  }
}

}  // namespace onnxgen::tokenizer
