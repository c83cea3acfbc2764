#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer.h"

namespace onnxgen::tokenizer {

// Turns generated ids, fed one at a time, into text deltas whose concatenation equals
// decode(all ids). Text is held back while it ends in an incomplete UTF-8 character (a partial
// byte-fallback or byte-level sequence), and each step decodes a short window that starts one
// emitted token back, so decoder rules that depend on position (SentencePiece dropping the
// leading space of the first piece) apply to both sides of the difference alike.
class StreamingDetokenizer {
 public:
  explicit StreamingDetokenizer(const Tokenizer& tokenizer, bool skip_special_tokens = false);

  // Returns the text that `id` completes; often empty while a character is still partial. The
  // view stays valid until the next call: the detokenizer decodes into buffers it keeps, so a
  // generated token costs no heap allocation.
  std::string_view put(int32_t id);
  // Returns whatever is still held back (e.g. a truncated multi-byte character) and resets.
  std::string_view flush();
  void reset();

 private:
  // Decodes the window [prefix_offset_, read_offset_) into prefix_ and [prefix_offset_, end)
  // into text_, and returns the part of text_ past prefix_ ("" when text_ is not longer).
  std::string_view decode_window();

  const Tokenizer& tokenizer_;
  bool skip_special_tokens_;
  std::vector<int32_t> ids_;
  std::string prefix_;
  std::string text_;
  size_t prefix_offset_ = 0;  // Window start: the token before the first unemitted one.
  size_t read_offset_ = 0;    // Tokens before this have been emitted.
};

}  // namespace onnxgen::tokenizer
