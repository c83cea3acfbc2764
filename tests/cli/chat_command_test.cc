// `onnxgen chat` end to end: a scripted session through stdin on a fixture given a chat template.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/cli/run_onnxgen.h"

namespace {

namespace fs = std::filesystem;
using onnxgen::testing::run_onnxgen;

const fs::path kModel = fs::path(ONNXGEN_SOURCE_DIR) / "tests/fixtures/models/llama-genai-fp32";

class ChatCommand : public ::testing::Test {
 protected:
  // The fixture links its files into a temporary directory whose tokenizer config adds a template.
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("onnxgen_chat_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    for (const auto& e : fs::directory_iterator(kModel))
      if (e.path().filename() != "tokenizer_config.json") fs::create_symlink(e.path(), dir_ / e.path().filename());
    std::ofstream(dir_ / "tokenizer_config.json")
        << R"({"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "chat_template": )"
        << R"("{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}"})";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ChatCommand, ScriptedSessionAnswersEachTurnAndHonoursCommands) {
  auto r = run_onnxgen("chat " + dir_.string() + " --max-new-tokens 6 --seed 1 --system 'Be brief.'",
                       "Hello there\n/reset\nAnother question\n/exit\nnever read\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  size_t answers = 0;
  for (size_t pos = 0; (pos = r.output.find("tokens/s", pos)) != std::string::npos; ++pos) ++answers;
  EXPECT_EQ(answers, 2u) << r.output;
  EXPECT_NE(r.output.find("history cleared"), std::string::npos) << r.output;
}

TEST_F(ChatCommand, EndOfInputQuitsCleanly) {
  auto r = run_onnxgen("chat " + dir_.string() + " --max-new-tokens 3", "Hi\n");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(ChatCommandErrors, ModelWithoutATemplateIsRefusedWithAHint) {
  auto r = run_onnxgen("chat " + kModel.string(), "Hi\n");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no chat template"), std::string::npos) << r.output;
}

}  // namespace
