// Parity with the golden cases in ../shared/tokenizers (made by Hugging Face tokenizers.js and
// confirmed with the Python tokenizers package).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tokenizer/tokenizer.h"

namespace {

namespace fs = std::filesystem;
using onnxgen::tokenizer::Tokenizer;

fs::path shared_dir() { return fs::path(ONNXGEN_SHARED_DIR) / "tokenizers"; }

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
  const auto tok = Tokenizer::load(dir);
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
  const auto tok = Tokenizer::load(dir / "tokenizer.model");
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

}  // namespace
