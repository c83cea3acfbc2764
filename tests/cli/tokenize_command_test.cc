// `onnxgen tokenize`, `detokenize` and `chat-template` end to end, on the project's own tokenizer
// fixture (expected ids from tests/tokenizer/data/fixture_cases.jsonl, made with Rust tokenizers).
#include <gtest/gtest.h>

#include "tests/cli/run_onnxgen.h"
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

using Result = onnxgen::testing::CommandResult;
using onnxgen::testing::run_onnxgen;

class TokenizeCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("onnxgen_tok_dir_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    fs::copy_file(fs::path(ONNXGEN_SOURCE_DIR) / "tests/tokenizer/data/fixtures/byte_level_bpe.json",
                  dir_ / "tokenizer.json", fs::copy_options::overwrite_existing);
    std::ofstream(dir_ / "tokenizer_config.json")
        << R"({"bos_token": "<s>", "eos_token": "</s>", "chat_template": )"
        << R"("{% for m in messages %}<{{ m.role }}>{{ m.content }}</s>{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}"})";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(TokenizeCommands, TokenizeMatchesTheReferenceIdsAndDetokenizeInvertsIt) {
  Result r = run_onnxgen("tokenize " + dir_.string(), "Hello world");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "[346,387,79,283,386]\n");
  r = run_onnxgen("detokenize " + dir_.string(), "[346, 387, 79, 283, 386]");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "Hello world");
}

TEST_F(TokenizeCommands, ChatTemplateRendersMessages) {
  const std::string messages = R"([{"role": "user", "content": "hi"}])";
  Result r = run_onnxgen("chat-template " + dir_.string(), messages);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "<user>hi</s><assistant>");
  r = run_onnxgen("chat-template " + dir_.string() + " --no-generation-prompt", messages);
  EXPECT_EQ(r.output, "<user>hi</s>");
}

TEST_F(TokenizeCommands, BadInputIsAnError) {
  Result r = run_onnxgen("detokenize " + dir_.string(), "[1,");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("not valid JSON"), std::string::npos) << r.output;
  r = run_onnxgen("detokenize " + dir_.string(), "[99999]");
  EXPECT_NE(r.output.find("outside the vocabulary"), std::string::npos) << r.output;
  r = run_onnxgen("chat-template " + dir_.string(), R"({"role": "user"})");
  EXPECT_NE(r.output.find("JSON array"), std::string::npos) << r.output;
  r = run_onnxgen("tokenize /nonexistent-dir", "x");
  EXPECT_EQ(r.exit_code, 1);
}

}  // namespace
