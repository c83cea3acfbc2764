#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace onnxgen::tokenizer {

// The token strings a decode rewrites. Slots past size() and the scratch string keep their
// buffers between decodes, so streaming (a few short decodes per generated token) reuses memory
// instead of allocating in every step.
class DecodePieces {
 public:
  // Starts a decode whose joined text can take up to `text_bytes`: the first piece (which
  // joining decoders grow into the whole text) and the scratch string are reserved to it.
  void reset(size_t text_bytes);
  // A new last piece, emptied, with room for `bytes`.
  std::string& add(size_t bytes);
  void truncate(size_t n) { size_ = n < size_ ? n : size_; }
  size_t size() const { return size_; }
  std::string& operator[](size_t i) { return items_[i]; }
  std::span<std::string> pieces() { return {items_.data(), size_}; }
  // An empty string distinct from every piece, for rewrites that cannot work in place.
  std::string& scratch();
  // Copies the scratch string over piece `i` (a copy, not a swap, so that every slot keeps the
  // capacity it was reserved for).
  void replace_with_scratch(size_t i) { items_[i].assign(scratch_); }

 private:
  std::vector<std::string> items_;
  size_t size_ = 0;
  size_t text_bytes_ = 0;
  std::string scratch_;
};

// A tokenizer.json "decoder": rewrites the list of token strings; the result is their
// concatenation (the tokenizers crate's decode_chain).
class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual void decode_chain(DecodePieces& tokens) const = 0;
};

std::unique_ptr<Decoder> make_decoder(const nlohmann::json& j, const std::string& where);

}  // namespace onnxgen::tokenizer
