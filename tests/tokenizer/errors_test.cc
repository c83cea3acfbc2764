// Bad files must raise Error (a std::runtime_error) naming the file and the thing at fault.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tokenizer/chat_template.h"
#include "tests/support/temp_dir.h"
#include "tokenizer/tokenizer.h"

namespace {

namespace fs = std::filesystem;
using onnxgen::tokenizer::Tokenizer;

class BadFiles : public ::testing::Test {
 protected:
  static nlohmann::json valid() {
    return nlohmann::json::parse(R"({
      "version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": null,
      "post_processor": null, "decoder": null,
      "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}
    })");
  }

  fs::path write(const std::string& name, const std::string& content) {
    onnxgen::testing::write_file(dir_.file(name), content);
    return dir_.path() / name;
  }

  // Loading must fail with a message holding every one of `needles`.
  void expect_load_error(const nlohmann::json& tokenizer_json, std::initializer_list<std::string> needles) {
    write("tokenizer.json", tokenizer_json.dump());
    expect_error(needles);
  }

  void expect_error(std::initializer_list<std::string> needles) {
    try {
      Tokenizer::load(dir_.path());
      ADD_FAILURE() << "loading succeeded";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(dynamic_cast<const onnxgen::tokenizer::Error*>(&e), nullptr);
      for (const auto& needle : needles) EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  }

  onnxgen::testing::TempDir dir_;
};

TEST_F(BadFiles, ValidBaselineLoads) {
  write("tokenizer.json", valid().dump());
  EXPECT_EQ(Tokenizer::load(dir_.path())->encode("ab", false), (std::vector<int32_t>{2}));
}

TEST_F(BadFiles, InvalidJson) {
  write("tokenizer.json", "{\"model\": {");
  expect_error({"tokenizer.json", "invalid JSON"});
}

TEST_F(BadFiles, MissingModel) {
  auto j = valid();
  j.erase("model");
  expect_load_error(j, {"tokenizer.json", "missing field 'model'"});
}

TEST_F(BadFiles, UnknownModelType) {
  auto j = valid();
  j["model"]["type"] = "Transformer";
  expect_load_error(j, {"tokenizer.json", "model", "unknown type 'Transformer'"});
}

TEST_F(BadFiles, MissingVocab) {
  auto j = valid();
  j["model"].erase("vocab");
  expect_load_error(j, {"model", "missing field 'vocab'"});
}

TEST_F(BadFiles, MergeWithUnknownToken) {
  auto j = valid();
  j["model"]["merges"] = {"a b", "a zz"};
  expect_load_error(j, {"model.merges[1]", "unknown token 'zz'"});
}

TEST_F(BadFiles, MergeResultNotInVocab) {
  auto j = valid();
  j["model"]["merges"] = {"b a"};
  expect_load_error(j, {"model.merges[0]", "'ba'"});
}

TEST_F(BadFiles, MalformedMerge) {
  auto j = valid();
  j["model"]["merges"] = {"ab"};
  expect_load_error(j, {"model.merges[0]", "two tokens"});
}

TEST_F(BadFiles, UnknownNormalizer) {
  auto j = valid();
  j["normalizer"] = {{"type", "Sequence"}, {"normalizers", {{{"type", "NFC"}}, {{"type", "Shout"}}}}};
  expect_load_error(j, {"normalizer.normalizers[1]", "unknown type 'Shout'"});
}

TEST_F(BadFiles, UnknownPreTokenizer) {
  auto j = valid();
  j["pre_tokenizer"] = {{"type", "Splitter"}};
  expect_load_error(j, {"pre_tokenizer", "unknown type 'Splitter'"});
}

TEST_F(BadFiles, BadRegex) {
  auto j = valid();
  j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}};
  expect_load_error(j, {"invalid regular expression", "(unclosed"});
}

TEST_F(BadFiles, UnknownDecoder) {
  auto j = valid();
  j["decoder"] = {{"type", "Sequence"}, {"decoders", {{{"type", "Mystery"}}}}};
  expect_load_error(j, {"decoder.decoders[0]", "unknown type 'Mystery'"});
}

TEST_F(BadFiles, TemplateProcessingNamesUnknownSpecialToken) {
  auto j = valid();
  j["post_processor"] = nlohmann::json::parse(
      R"({"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
          {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {}})");
  expect_load_error(j, {"post_processor.single[0]", "'<s>'"});
}

TEST_F(BadFiles, AddedTokenWithoutContent) {
  auto j = valid();
  j["added_tokens"] = {{{"id", 5}, {"special", true}}};
  expect_load_error(j, {"added_tokens[0]", "missing field 'content'"});
}

TEST_F(BadFiles, WrongFieldType) {
  auto j = valid();
  j["model"]["vocab"] = {"a", "b"};
  expect_load_error(j, {"model", "'vocab' must be an object"});
}

TEST_F(BadFiles, BrokenTokenizerConfig) {
  write("tokenizer.json", valid().dump());
  write("tokenizer_config.json", "{\"bos_token\": ");
  expect_error({"tokenizer_config.json", "invalid JSON"});
}

TEST_F(BadFiles, ChatTemplateOfWrongType) {
  write("tokenizer.json", valid().dump());
  write("tokenizer_config.json", R"({"chat_template": 42})");
  expect_error({"tokenizer_config.json", "chat_template"});
}

TEST_F(BadFiles, BadSentencePieceModel) {
  write("tokenizer.model", "definitely not a protobuf");
  expect_error({"tokenizer.model", "not a SentencePiece model"});
}

TEST_F(BadFiles, EmptyDirectory) { expect_error({"neither tokenizer.json nor tokenizer.model"}); }

TEST_F(BadFiles, BadChatTemplateSyntax) {
  write("tokenizer.json", valid().dump());
  write("tokenizer_config.json", R"({"chat_template": "{% for m in messages %}\n{{ m.content }\n{% endfor %}"})");
  const auto tok = Tokenizer::load(dir_.path());
  try {
    onnxgen::tokenizer::ChatTemplate::from_tokenizer(*tok);
    ADD_FAILURE() << "parsing succeeded";
  } catch (const onnxgen::tokenizer::TemplateError& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
}

TEST_F(BadFiles, MissingChatTemplate) {
  write("tokenizer.json", valid().dump());
  const auto tok = Tokenizer::load(dir_.path());
  EXPECT_THROW(onnxgen::tokenizer::ChatTemplate::from_tokenizer(*tok), onnxgen::tokenizer::Error);
}

TEST_F(BadFiles, GarbageNeverCrashes) {
  // Truncations of a valid file at every length must fail cleanly or load.
  const std::string text = valid().dump();
  for (size_t n = 0; n < text.size(); n += 7) {
    write("tokenizer.json", text.substr(0, n));
    EXPECT_THROW(Tokenizer::load(dir_.path()), onnxgen::tokenizer::Error) << "length " << n;
  }
}

}  // namespace
