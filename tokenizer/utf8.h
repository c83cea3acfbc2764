#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace onnxgen::tokenizer::utf8 {

// Length in bytes of the UTF-8 sequence introduced by `lead` (1 for stray continuation bytes so
// that scanners always make progress).
size_t sequence_length(unsigned char lead);

// Decodes the code point at `pos` (which must be a character boundary of valid UTF-8) and
// advances `pos` past it.
char32_t next(std::string_view s, size_t& pos);

void append(std::string& out, char32_t cp);

// Rust's String::from_utf8_lossy: each maximal invalid subsequence becomes one U+FFFD.
// Hugging Face decoders are defined in terms of it, so decoded text must match it exactly.
std::string to_valid_lossy(std::string_view bytes);
// The same, appended to `out` (whose buffer a streaming decode reuses).
void append_valid_lossy(std::string& out, std::string_view bytes);
bool is_valid(std::string_view bytes);

// Bytes at the end of `s` that start a UTF-8 sequence which is still incomplete.
size_t incomplete_suffix_length(std::string_view s);

// Character classes as Rust's char methods define them (the tokenizers crate uses those).
bool is_whitespace(char32_t cp);
bool is_alphanumeric(char32_t cp);
bool is_numeric(char32_t cp);
bool is_punctuation(char32_t cp);

}  // namespace onnxgen::tokenizer::utf8
