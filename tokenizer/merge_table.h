#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace onnxgen::tokenizer {

// BPE's (left id, right id) -> (rank, merged id) table as open addressing in one flat array:
// merging probes it a few times per symbol, and with 500k entries a node-based map spends most
// of its time on cache misses. Filled up to three quarters: emptier, a 150k-merge table would
// take 8 MiB instead of 4 for probes that are only a little shorter.
class MergeTable {
 public:
  struct Merge {
    int32_t rank;
    int32_t new_id;
  };

  // Sizes the table for `n` merges; discards its contents, so call it before inserting.
  void reserve(size_t n) {
    size_ = 0;
    size_t capacity = 16;
    while (capacity * 3 < n * 4) capacity *= 2;
    slots_.assign(capacity, Slot{kEmpty, {0, 0}});
    shift_ = 64;
    for (size_t c = capacity; c > 1; c >>= 1) --shift_;
  }

  // Keeps the first merge registered for a pair.
  void insert(int32_t left, int32_t right, Merge merge) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    place(key(left, right), merge);
  }

  const Merge* find(int32_t left, int32_t right) const {
    if (slots_.empty()) return nullptr;
    const uint64_t k = key(left, right);
    for (size_t i = index(k);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].key == k) return &slots_[i].merge;
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }

 private:
  // Ids are non-negative 32-bit values, so no real key has every bit set.
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  struct Slot {
    uint64_t key;
    Merge merge;
  };

  static uint64_t key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }
  size_t index(uint64_t k) const { return static_cast<size_t>((k * 0x9E3779B97F4A7C15ull) >> shift_); }

  void place(uint64_t k, Merge merge) {
    for (size_t i = index(k);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].key == k) return;
      if (slots_[i].key == kEmpty) {
        slots_[i] = {k, merge};
        ++size_;
        return;
      }
    }
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    reserve(old.empty() ? 8 : old.size());
    for (const auto& s : old)
      if (s.key != kEmpty) place(s.key, s.merge);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
  int shift_ = 64;
};

}  // namespace onnxgen::tokenizer
