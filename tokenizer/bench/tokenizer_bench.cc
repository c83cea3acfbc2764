// Encode/decode throughput of one tokenizer on one text file, single thread. A program, not a
// test: scripts/tokenizer_bench.py runs it beside the Rust tokenizers package.
//
//   onnxgen_tokenizer_bench TOKENIZER_DIR TEXT_FILE [REPEATS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace {

template <typename Fn>
double best_seconds(int repeats, Fn fn) {
  double best = 1e30;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s TOKENIZER_DIR TEXT_FILE [REPEATS]\n", argv[0]);
    return 2;
  }
  const int repeats = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  try {
    const auto load_start = std::chrono::steady_clock::now();
    const auto tok = onnxgen::tokenizer::Tokenizer::load(argv[1]);
    const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
    std::ifstream in(argv[2], std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    const double mb = static_cast<double>(text.size()) / 1e6;

    // The first pass also fills the BPE cache; later passes show a long-running server's speed.
    std::vector<int32_t> ids;
    const double cold_s = best_seconds(1, [&] { ids = tok->encode(text, false); });
    const double encode_s = best_seconds(repeats, [&] { ids = tok->encode(text, false); });
    // Requests are usually short: the same text one line per call.
    std::vector<std::string> lines;
    for (size_t pos = 0; pos < text.size();) {
      const size_t end = std::min(text.find('\n', pos), text.size() - 1) + 1;
      lines.push_back(text.substr(pos, end - pos));
      pos = end;
    }
    const double lines_s = best_seconds(repeats, [&] {
      for (const auto& line : lines) tok->encode(line, false);
    });
    std::string decoded;
    const double decode_s = best_seconds(repeats, [&] { decoded = tok->decode(ids); });
    std::printf(
        "{\"load_s\": %.3f, \"bytes\": %zu, \"tokens\": %zu, \"encode_mb_s\": %.2f, \"encode_cold_mb_s\": %.2f, "
        "\"encode_lines_mb_s\": %.2f, \"decode_mb_s\": %.2f, \"roundtrip\": %s}\n",
        load_s, text.size(), ids.size(), mb / encode_s, mb / cold_s, mb / lines_s, mb / decode_s,
        decoded == text ? "true" : "false");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
