#pragma once

#include <string>
#include <string_view>

namespace onnxgen::tokenizer::byte_level {

// GPT-2's reversible byte <-> printable-character alphabet: every byte becomes one code point so
// that BPE vocabularies never contain raw control bytes or spaces.
std::string encode(std::string_view bytes);

// Appends the bytes of a token written in that alphabet to `out`. Tokens with any character outside the
// alphabet (added tokens such as "<|im_start|>" in other scripts) are kept verbatim, as the
// Hugging Face ByteLevel decoder does.
void append_decoded(std::string& out, std::string_view token);

}  // namespace onnxgen::tokenizer::byte_level
