// Every tokenizer.json component on small fixtures of the project's own, against outputs of the
// Rust `tokenizers` package (scripts/tokenizer_make_fixtures.py). Needs nothing from ../shared.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/temp_dir.h"
#include "tokenizer/tokenizer.h"

namespace {

namespace fs = std::filesystem;
using onnxgen::tokenizer::Tokenizer;

const fs::path kData = ONNXGEN_TOKENIZER_TEST_DATA;

std::vector<nlohmann::json> cases_for(const std::string& fixture) {
  std::vector<nlohmann::json> out;
  std::ifstream in(kData / "fixture_cases.jsonl");
  for (std::string line; std::getline(in, line);) {
    auto c = nlohmann::json::parse(line);
    if (c["fixture"] == fixture) out.push_back(std::move(c));
  }
  return out;
}

class Fixture : public ::testing::TestWithParam<std::string> {};

TEST_P(Fixture, MatchesRustTokenizers) {
  const auto tok = Tokenizer::load(kData / "fixtures" / (GetParam() + ".json"));
  const auto cases = cases_for(GetParam());
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const std::string text = c["text"];
    const auto with_special = tok->encode(text, true);
    EXPECT_EQ(tok->encode(text, false), c["ids"].get<std::vector<int32_t>>()) << "text: " << text;
    EXPECT_EQ(with_special, c["ids_with_special"].get<std::vector<int32_t>>()) << "text: " << text;
    EXPECT_EQ(tok->decode(with_special, false), c["decoded"].get<std::string>()) << "text: " << text;
    EXPECT_EQ(tok->decode(with_special, true), c["decoded_skip_special"].get<std::string>()) << "text: " << text;
  }
}

INSTANTIATE_TEST_SUITE_P(Own, Fixture,
                         ::testing::Values("byte_level_bpe", "tiktoken_style_bpe", "sentencepiece_bpe", "unigram",
                                           "wordpiece", "mixed_pipeline", "whitespace_wordpiece"),
                         [](const auto& info) { return info.param; });

TEST(FixtureSpecialTokens, ConfigOverridesPostProcessor) {
  const onnxgen::testing::TempDir dir;
  fs::copy_file(kData / "fixtures" / "sentencepiece_bpe.json", dir.path() / "tokenizer.json");
  onnxgen::testing::write_file(
      dir.file("tokenizer_config.json"),
      R"({"bos_token": "<s>", "eos_token": {"content": "</s>"}, "add_bos_token": false, "add_eos_token": true})");
  onnxgen::testing::write_file(dir.file("generation_config.json"), R"({"eos_token_id": [2, 0]})");
  const auto tok = Tokenizer::load(dir.path());
  const auto plain = tok->encode("Hello", false);
  auto expected = plain;
  expected.push_back(2);
  EXPECT_EQ(tok->encode("Hello", true), expected);
  EXPECT_EQ(tok->special_tokens().bos, 1);
  EXPECT_EQ(tok->special_tokens().eos, (std::vector<int32_t>{2, 0}));
  EXPECT_TRUE(tok->is_eos(0));
  EXPECT_FALSE(tok->special_tokens().add_bos);
}

TEST(FixtureSpecialTokens, PostProcessorGivesDefaults) {
  const auto tok = Tokenizer::load(kData / "fixtures" / "sentencepiece_bpe.json");
  EXPECT_FALSE(tok->special_tokens().bos.has_value()) << "no tokenizer_config.json, so no bos name";
  const auto with = tok->encode("Hi", true);
  ASSERT_FALSE(with.empty());
  EXPECT_EQ(with.front(), 1);
  EXPECT_TRUE(tok->is_special(1));
  EXPECT_EQ(tok->id_to_token(1), "<s>");
  EXPECT_EQ(tok->token_to_id("<s>"), 1);
  EXPECT_FALSE(tok->token_to_id("no such token").has_value());
}

TEST(FixtureThreads, ConcurrentEncodeAgrees) {
  const auto tok = Tokenizer::load(kData / "fixtures" / "byte_level_bpe.json");
  std::vector<std::string> texts;
  for (const auto& c : cases_for("byte_level_bpe")) texts.push_back(c["text"]);
  std::vector<std::vector<int32_t>> expected;
  for (const auto& t : texts) expected.push_back(tok->encode(t));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 50; ++round) {
        for (size_t i = 0; i < texts.size(); ++i) mismatches += tok->encode(texts[i]) != expected[i];
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
