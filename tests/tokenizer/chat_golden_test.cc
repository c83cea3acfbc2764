// Chat templates of real models rendered byte for byte as in ../shared/tokenizers/*/chat_cases.jsonl.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tokenizer/chat_template.h"

namespace {

namespace fs = std::filesystem;
using onnxgen::tokenizer::ChatOptions;
using onnxgen::tokenizer::ChatTemplate;
using onnxgen::tokenizer::TokenizerConfig;

class ChatGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ChatGolden, RendersLikeReference) {
  const fs::path dir = fs::path(ONNXGEN_SHARED_DIR) / "tokenizers" / GetParam();
  if (!fs::exists(dir / "chat_cases.jsonl")) GTEST_SKIP() << dir << " is absent (../shared is not checked out)";
  const auto config = TokenizerConfig::load_directory(dir);
  const ChatTemplate tmpl(*config.chat_template());
  std::ifstream in(dir / "chat_cases.jsonl");
  size_t passed = 0, total = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const auto c = nlohmann::ordered_json::parse(line);
    ChatOptions options;
    options.add_generation_prompt = c.value("add_generation_prompt", true);
    const std::string got = tmpl.apply(c["messages"], config, options);
    EXPECT_EQ(got, c["rendered"].get<std::string>()) << "messages: " << c["messages"].dump();
    passed += got == c["rendered"].get<std::string>();
    ++total;
  }
  std::cout << GetParam() << " chat: " << passed << "/" << total << " cases passed\n";
}

INSTANTIATE_TEST_SUITE_P(Shared, ChatGolden, ::testing::Values("llama3", "qwen3", "gemma3"),
                         [](const auto& info) { return info.param; });

// More conversations (tools, tool calls, reasoning, list content, errors) rendered by
// transformers' apply_chat_template (scripts/tokenizer_make_chat_cases.py).
TEST(ChatExtra, RendersLikeTransformers) {
  std::ifstream in(std::string(ONNXGEN_TOKENIZER_TEST_DATA) + "/chat_extra_cases.jsonl");
  size_t passed = 0, total = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const auto c = nlohmann::ordered_json::parse(line);
    const fs::path dir = fs::path(ONNXGEN_SHARED_DIR) / "tokenizers" / c["model"].get<std::string>();
    if (!fs::exists(dir / "tokenizer_config.json")) GTEST_SKIP() << dir << " is absent (../shared is not checked out)";
    const auto config = TokenizerConfig::load_directory(dir);
    ChatOptions options;
    options.add_generation_prompt = c["add_generation_prompt"];
    options.tools = c["tools"];
    options.extra = c["extra"];
    const std::string label = c["model"].get<std::string>() + "/" + c["name"].get<std::string>();
    ++total;
    if (c.contains("error")) {
      try {
        ChatTemplate(*config.chat_template()).apply(c["messages"], config, options);
        ADD_FAILURE() << label << ": expected an error";
      } catch (const onnxgen::tokenizer::TemplateError& e) {
        const bool has_message = std::string(e.what()).find(c["error"].get<std::string>()) != std::string::npos;
        EXPECT_TRUE(has_message) << label << ": " << e.what();
        passed += has_message;
      }
      continue;
    }
    const std::string got = ChatTemplate(*config.chat_template()).apply(c["messages"], config, options);
    EXPECT_EQ(got, c["rendered"].get<std::string>()) << label;
    passed += got == c["rendered"].get<std::string>();
  }
  std::cout << "extra chat cases: " << passed << "/" << total << " passed\n";
}

}  // namespace
