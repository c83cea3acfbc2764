#pragma once

#include <string>
#include <string_view>

namespace onnxgen::tokenizer::byte_level {

// GPT-2's reversible byte <-> printable-character alphabet: every byte becomes one code point so
// that BPE vocabularies never contain raw control bytes or spaces.
std::string encode(std::string_view bytes);

// Maps a token written in that alphabet back to its bytes. Tokens with any character outside the
// alphabet (added tokens such as "<|im_start|>" in other scripts) are kept verbatim, as the
// Hugging Face ByteLevel decoder does.
std::string decode_token(std::string_view token);

}  // namespace onnxgen::tokenizer::byte_level
