#include "streaming_detokenizer.h"

#include <span>

namespace onnxgen::tokenizer {

namespace {

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";

}  // namespace

StreamingDetokenizer::StreamingDetokenizer(const Tokenizer& tokenizer, bool skip_special_tokens)
    : tokenizer_(tokenizer), skip_special_tokens_(skip_special_tokens) {}

std::string StreamingDetokenizer::decode_range(size_t begin, size_t end) const {
  return tokenizer_.decode(std::span<const int32_t>(ids_).subspan(begin, end - begin), skip_special_tokens_);
}

std::string StreamingDetokenizer::put(int32_t id) {
  ids_.push_back(id);
  const std::string prefix = decode_range(prefix_offset_, read_offset_);
  const std::string text = decode_range(prefix_offset_, ids_.size());
  // Decoders turn an unfinished UTF-8 sequence into U+FFFD; wait for the bytes that finish it.
  if (text.size() <= prefix.size() || text.ends_with(kReplacementChar)) return {};
  std::string delta = text.substr(prefix.size());
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

std::string StreamingDetokenizer::flush() {
  std::string rest;
  if (read_offset_ < ids_.size()) {
    const std::string prefix = decode_range(prefix_offset_, read_offset_);
    const std::string text = decode_range(prefix_offset_, ids_.size());
    if (text.size() > prefix.size()) rest = text.substr(prefix.size());
  }
  reset();
  return rest;
}

void StreamingDetokenizer::reset() {
  ids_.clear();
  prefix_offset_ = read_offset_ = 0;
}

}  // namespace onnxgen::tokenizer
