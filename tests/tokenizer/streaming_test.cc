// Streaming detokenization: deltas never split a UTF-8 character and concatenate to decode(all).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tokenizer/streaming_detokenizer.h"
#include "tokenizer/utf8.h"

namespace {

namespace fs = std::filesystem;
using onnxgen::tokenizer::StreamingDetokenizer;
using onnxgen::tokenizer::Tokenizer;

// Streams `ids` and checks both properties; returns the concatenated text.
std::string stream(const Tokenizer& tok, const std::vector<int32_t>& ids, bool skip_special) {
  StreamingDetokenizer detok(tok, skip_special);
  std::string all;
  for (const int32_t id : ids) {
    const std::string delta(detok.put(id));
    EXPECT_EQ(onnxgen::tokenizer::utf8::incomplete_suffix_length(delta), 0u) << "delta ends mid-character";
    EXPECT_EQ(onnxgen::tokenizer::utf8::to_valid_lossy(delta), delta) << "delta is not valid UTF-8";
    all += delta;
  }
  all += detok.flush();
  return all;
}

void check_texts(const Tokenizer& tok, const std::vector<std::string>& texts, const std::string& label) {
  for (const auto& text : texts) {
    const auto ids = tok.encode(text, true);
    for (const bool skip : {false, true}) {
      EXPECT_EQ(stream(tok, ids, skip), tok.decode(ids, skip)) << label << " skip=" << skip << " text: " << text;
    }
  }
}

std::vector<std::string> texts_from(const fs::path& jsonl, const std::string& key, const std::string& value) {
  std::vector<std::string> texts;
  std::ifstream in(jsonl);
  for (std::string line; std::getline(in, line);) {
    const auto c = nlohmann::json::parse(line);
    if (key.empty() || c[key] == value) texts.push_back(c["text"]);
  }
  return texts;
}

class StreamFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(StreamFixture, ConcatenationEqualsDecode) {
  const fs::path data = ONNXGEN_TOKENIZER_TEST_DATA;
  const auto tok = Tokenizer::load(data / "fixtures" / (GetParam() + ".json"));
  check_texts(*tok, texts_from(data / "fixture_cases.jsonl", "fixture", GetParam()), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Own, StreamFixture,
                         ::testing::Values("byte_level_bpe", "tiktoken_style_bpe", "sentencepiece_bpe", "unigram",
                                           "wordpiece", "whitespace_wordpiece"),
                         [](const auto& info) { return info.param; });

TEST(StreamFixture, HoldsBackPartialCharacters) {
  const auto tok = Tokenizer::load(fs::path(ONNXGEN_TOKENIZER_TEST_DATA) / "fixtures" / "sentencepiece_bpe.json");
  // "😀" is not in the small vocabulary, so it becomes four byte-fallback tokens.
  const auto ids = tok->encode("a😀", false);
  ASSERT_GE(ids.size(), 5u);
  StreamingDetokenizer detok(*tok);
  std::vector<std::string> deltas;
  for (const int32_t id : ids) deltas.emplace_back(detok.put(id));
  EXPECT_EQ(deltas[ids.size() - 4], "");
  EXPECT_EQ(deltas[ids.size() - 2], "");
  EXPECT_EQ(deltas.back(), "😀");
}

TEST(StreamFixture, FlushEmitsTruncatedCharacter) {
  const auto tok = Tokenizer::load(fs::path(ONNXGEN_TOKENIZER_TEST_DATA) / "fixtures" / "sentencepiece_bpe.json");
  auto ids = tok->encode("a😀", false);
  ids.pop_back();
  StreamingDetokenizer detok(*tok);
  std::string all;
  for (const int32_t id : ids) all += detok.put(id);
  all += detok.flush();
  EXPECT_EQ(all, tok->decode(ids));
}

class StreamShared : public ::testing::TestWithParam<std::string> {};

TEST_P(StreamShared, ConcatenationEqualsDecode) {
  const fs::path dir = fs::path(ONNXGEN_SHARED_DIR) / "tokenizers" / GetParam();
  const fs::path file = dir / (GetParam() == "llama2-sentencepiece" ? "tokenizer.model" : "tokenizer.json");
  if (!fs::exists(file)) GTEST_SKIP() << file << " is absent (../shared is not checked out)";
  const auto tok = Tokenizer::load(file);
  auto texts = texts_from(fs::path(ONNXGEN_TOKENIZER_TEST_DATA) / "tokenizer_extra_cases.jsonl", "model", GetParam());
  if (fs::exists(dir / "cases.jsonl")) {
    for (auto& t : texts_from(dir / "cases.jsonl", "", "")) texts.push_back(std::move(t));
  }
  check_texts(*tok, texts, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Shared, StreamShared,
                         ::testing::Values("gpt2", "llama3", "qwen3", "gemma3", "sp-bpe-32k", "llama2-sentencepiece"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (auto& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return name;
                         });

}  // namespace
