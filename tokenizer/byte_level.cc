#include "byte_level.h"

#include <array>
#include <unordered_map>

#include "utf8.h"

namespace onnxgen::tokenizer::byte_level {

namespace {

struct Alphabet {
  std::array<std::string, 256> byte_to_text;
  std::unordered_map<char32_t, unsigned char> char_to_byte;

  Alphabet() {
    char32_t next_free = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      const char32_t cp = printable ? static_cast<char32_t>(b) : next_free++;
      utf8::append(byte_to_text[b], cp);
      char_to_byte.emplace(cp, static_cast<unsigned char>(b));
    }
  }
};

const Alphabet& alphabet() {
  static const Alphabet a;
  return a;
}

}  // namespace

std::string encode(std::string_view bytes) {
  const auto& table = alphabet().byte_to_text;
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) out.append(table[static_cast<unsigned char>(c)]);
  return out;
}

void append_decoded(std::string& out, std::string_view token) {
  const auto& map = alphabet().char_to_byte;
  const size_t start = out.size();
  for (size_t pos = 0; pos < token.size();) {
    const auto it = map.find(utf8::next(token, pos));
    if (it == map.end()) {
      out.resize(start);
      out.append(token);
      return;
    }
    out.push_back(static_cast<char>(it->second));
  }
}

}  // namespace onnxgen::tokenizer::byte_level
