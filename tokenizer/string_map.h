#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace onnxgen::tokenizer {

// A string-keyed hash map looked up by string_view without building a std::string. Keys live in
// a deque (stable addresses) and the index maps views of them, which also lets the standard
// library cache hash codes (it does not for transparent custom hashers, making lookups slow).
template <typename V>
class StringMap {
 public:
  const V* find(std::string_view key) const {
    const auto it = index_.find(key);
    return it == index_.end() ? nullptr : &it->second;
  }

  // Inserts or overwrites; returns the stored value.
  V& set(std::string_view key, V value) {
    if (const auto it = index_.find(key); it != index_.end()) return it->second = std::move(value);
    keys_.emplace_back(key);
    return index_.emplace(keys_.back(), std::move(value)).first->second;
  }

  size_t size() const { return index_.size(); }
  void reserve(size_t n) { index_.reserve(n); }

 private:
  std::deque<std::string> keys_;
  std::unordered_map<std::string_view, V> index_;
};

}  // namespace onnxgen::tokenizer
