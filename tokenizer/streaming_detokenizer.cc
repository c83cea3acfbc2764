#include "streaming_detokenizer.h"

#include <span>

namespace onnxgen::tokenizer {

namespace {

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";

}  // namespace

StreamingDetokenizer::StreamingDetokenizer(const Tokenizer& tokenizer, bool skip_special_tokens)
    : tokenizer_(tokenizer), skip_special_tokens_(skip_special_tokens) {
  // A window is a few tokens unless a long run of them has not completed a character yet.
  ids_.reserve(16);
}

std::string_view StreamingDetokenizer::decode_window() {
  const std::span<const int32_t> ids(ids_);
  tokenizer_.decode_into(prefix_, ids.subspan(prefix_offset_, read_offset_ - prefix_offset_), skip_special_tokens_);
  tokenizer_.decode_into(text_, ids.subspan(prefix_offset_), skip_special_tokens_);
  if (text_.size() <= prefix_.size()) return {};
  return std::string_view(text_).substr(prefix_.size());
}

std::string_view StreamingDetokenizer::put(int32_t id) {
  ids_.push_back(id);
  const std::string_view delta = decode_window();
  // Decoders turn an unfinished UTF-8 sequence into U+FFFD; wait for the bytes that finish it.
  if (delta.empty() || text_.ends_with(kReplacementChar)) return {};
  prefix_offset_ = read_offset_;
  read_offset_ = ids_.size();
  // Emitted ids before the window no longer influence any later delta.
  if (prefix_offset_ > 0) {
    ids_.erase(ids_.begin(), ids_.begin() + static_cast<std::ptrdiff_t>(prefix_offset_));
    read_offset_ -= prefix_offset_;
    prefix_offset_ = 0;
  }
  return delta;
}

std::string_view StreamingDetokenizer::flush() {
  const std::string_view rest = read_offset_ < ids_.size() ? decode_window() : std::string_view();
  reset();
  return rest;
}

void StreamingDetokenizer::reset() {
  ids_.clear();
  prefix_offset_ = read_offset_ = 0;
}

}  // namespace onnxgen::tokenizer
