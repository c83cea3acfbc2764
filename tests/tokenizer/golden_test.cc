// Parity with the golden cases in ../shared/tokenizers (made by Hugging Face tokenizers.js and
// confirmed with the Python tokenizers package).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "tokenizer/tokenizer.h"

namespace {

namespace fs = std::filesystem;
using onnxgen::tokenizer::Tokenizer;

fs::path shared_dir() { return fs::path(ONNXGEN_SHARED_DIR) / "tokenizers"; }

// Loading gemma3's 33 MB tokenizer.json takes a while; each test binary loads each model once.
const Tokenizer& shared_tokenizer(const fs::path& path) {
  static std::map<fs::path, std::unique_ptr<Tokenizer>> cache;
  auto& slot = cache[path];
  if (!slot) slot = Tokenizer::load(path);
  return *slot;
}

std::vector<nlohmann::json> read_cases(const fs::path& file) {
  std::vector<nlohmann::json> cases;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) cases.push_back(nlohmann::json::parse(line));
  }
  return cases;
}

class GoldenCases : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenCases, EncodeAndDecodeMatch) {
  const fs::path dir = shared_dir() / GetParam();
  if (!fs::exists(dir / "cases.jsonl")) GTEST_SKIP() << dir << " is absent (../shared is not checked out)";
  const Tokenizer* tok = &shared_tokenizer(dir);
  size_t passed = 0;
  const auto cases = read_cases(dir / "cases.jsonl");
  for (const auto& c : cases) {
    const std::string text = c["text"];
    const auto ids = c["ids"].get<std::vector<int32_t>>();
    const auto with_special = c["ids_with_special"].get<std::vector<int32_t>>();
    const auto got = tok->encode(text, false);
    const auto got_special = tok->encode(text, true);
    const auto decoded = tok->decode(ids, false);
    EXPECT_EQ(got, ids) << "text: " << text;
    EXPECT_EQ(got_special, with_special) << "text: " << text;
    EXPECT_EQ(decoded, c["decoded"].get<std::string>()) << "text: " << text;
    passed += got == ids && got_special == with_special && decoded == c["decoded"].get<std::string>();
  }
  std::cout << GetParam() << ": " << passed << "/" << cases.size() << " cases passed\n";
}

INSTANTIATE_TEST_SUITE_P(Shared, GoldenCases, ::testing::Values("gpt2", "llama3", "qwen3", "gemma3", "sp-bpe-32k"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (auto& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return name;
                         });

TEST(SentencePieceGolden, EncodeMatchesSpmEncode) {
  const fs::path dir = shared_dir() / "llama2-sentencepiece";
  if (!fs::exists(dir / "tokenizer.model")) GTEST_SKIP() << dir << " is absent (../shared is not checked out)";
  const Tokenizer* tok = &shared_tokenizer(dir / "tokenizer.model");
  size_t passed = 0;
  const auto cases = read_cases(dir / "sentencepiece_cases.jsonl");
  for (const auto& c : cases) {
    const std::string text = c["text"];
    const auto ids = c["ids"].get<std::vector<int32_t>>();
    const auto got = tok->encode(text, false);
    EXPECT_EQ(got, ids) << "text: " << text;
    EXPECT_EQ(tok->decode(got), text) << "text: " << text;
    passed += got == ids;
  }
  std::cout << "llama2-sentencepiece: " << passed << "/" << cases.size() << " cases passed\n";
}

// Inputs beyond the goldens (rare whitespace, joiners, other scripts, random mixtures), expected
// values from the Rust tokenizers and Python sentencepiece packages
// (scripts/tokenizer_make_extra_cases.py).
class ExtraCases : public ::testing::TestWithParam<std::string> {};

TEST_P(ExtraCases, MatchReferenceImplementations) {
  const std::string model = GetParam();
  const bool spm = model == "llama2-sentencepiece";
  const fs::path path = shared_dir() / model / (spm ? "tokenizer.model" : "tokenizer.json");
  if (!fs::exists(path)) GTEST_SKIP() << path << " is absent (../shared is not checked out)";
  const Tokenizer& tok = shared_tokenizer(spm ? path : path.parent_path());
  size_t passed = 0, total = 0;
  for (const auto& c : read_cases(fs::path(ONNXGEN_TOKENIZER_TEST_DATA) / "tokenizer_extra_cases.jsonl")) {
    if (c["model"] != model) continue;
    ++total;
    const std::string text = c["text"];
    const auto ids = tok.encode(text, false);
    bool ok = ids == c["ids"].get<std::vector<int32_t>>();
    EXPECT_EQ(ids, c["ids"].get<std::vector<int32_t>>()) << model << " text: " << text;
    const auto with_special = spm ? ids : tok.encode(text, true);
    if (!spm) {
      ok = ok && with_special == c["ids_with_special"].get<std::vector<int32_t>>();
      EXPECT_EQ(with_special, c["ids_with_special"].get<std::vector<int32_t>>()) << model << " text: " << text;
      ok = ok && tok.decode(with_special, false) == c["decoded"].get<std::string>();
      EXPECT_EQ(tok.decode(with_special, false), c["decoded"].get<std::string>()) << model << " text: " << text;
    }
    ok = ok && tok.decode(with_special, true) == c["decoded_skip_special"].get<std::string>();
    EXPECT_EQ(tok.decode(with_special, true), c["decoded_skip_special"].get<std::string>()) << model << " text: " << text;
    passed += ok;
  }
  std::cout << model << " extra: " << passed << "/" << total << " cases passed\n";
}

INSTANTIATE_TEST_SUITE_P(Shared, ExtraCases,
                         ::testing::Values("gpt2", "llama3", "qwen3", "gemma3", "sp-bpe-32k", "llama2-sentencepiece"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (auto& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return name;
                         });

}  // namespace
