// `onnxgen generate` end to end on a committed fixture: the ids contract tests and benchmarks
// rely on, batches, beams, streamed text, and the errors a user can cause.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/cli/run_onnxgen.h"

namespace {

namespace fs = std::filesystem;
using onnxgen::testing::run_onnxgen;

const fs::path kModel = fs::path(ONNXGEN_SOURCE_DIR) / "tests/fixtures/models/llama-genai-fp32";

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string join(const std::vector<int>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
  return s;
}

TEST(GenerateCommand, IdsOutputIsPromptPlusOnnxRuntimesGreedyTokens) {
  auto fixture = nlohmann::json::parse(std::ifstream(kModel / "fixture.json"));
  std::vector<int> prompt = fixture["prompt_ids"], generated = fixture["generated_ids"];
  auto r = run_onnxgen("generate " + kModel.string() + " --input-ids " + join(prompt) + " --max-new-tokens " +
                           std::to_string(generated.size()) + " --greedy --ignore-eos --output ids",
                       "", false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<int> expected = prompt;
  expected.insert(expected.end(), generated.begin(), generated.end());
  EXPECT_EQ(lines(r.output), std::vector<std::string>{join(expected)});
}

TEST(GenerateCommand, BatchRowsAreLeftPaddedToTheLongestPrompt) {
  auto r = run_onnxgen("generate " + kModel.string() +
                           " --input-ids 5,6,7,8 --input-ids 9,10 --input-ids 11,12,13 --max-length 10 --greedy "
                           "--ignore-eos --output ids",
                       "", false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto rows = lines(r.output);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].rfind("0,0,9,10,", 0), 0u) << rows[1];  // pad id 0
  for (const auto& row : rows) EXPECT_EQ(std::count(row.begin(), row.end(), ','), 9) << row;
}

TEST(GenerateCommand, BeamSearchPrintsOneLinePerReturnedSequence) {
  auto r = run_onnxgen("generate " + kModel.string() +
                           " --input-ids 5,6,7,8 --max-new-tokens 5 --num-beams 4 --num-return-sequences 3 --output ids",
                       "", false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(lines(r.output).size(), 3u);
}

TEST(GenerateCommand, TextPromptIsEchoedThenContinued) {
  auto r = run_onnxgen("generate " + kModel.string() + " --prompt 'ROMEO:' --max-new-tokens 8 --seed 3", "", false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("ROMEO:", 0), 0u) << r.output;
  EXPECT_GT(r.output.size(), std::string("ROMEO:\n").size());
}

TEST(GenerateCommand, SameSeedSameText) {
  std::string cmd = "generate " + kModel.string() + " --prompt 'To be' --max-new-tokens 12 --sample --seed 11";
  auto a = run_onnxgen(cmd, "", false), b = run_onnxgen(cmd, "", false);
  ASSERT_EQ(a.exit_code, 0);
  EXPECT_EQ(a.output, b.output);
}

TEST(GenerateCommand, UserErrorsNameWhatIsWrong) {
  auto expect_error = [](const std::string& args, const std::string& needle) {
    auto r = run_onnxgen("generate " + args);
    EXPECT_EQ(r.exit_code, 1) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(needle), std::string::npos) << args << "\n" << r.output;
  };
  const std::string m = kModel.string();
  expect_error(m + " --prompt hi --input-ids 1,2", "either --prompt");
  expect_error(m + " --input-ids 1,x,3", "'x'");
  expect_error(m + " --input-ids 1,2 --output yaml", "--output must be text or ids");
  expect_error(m + " --input-ids 1,2 --temperature -3 --sample", "temperature");
  expect_error(m + " --input-ids 1,2 --bogus 1", "unknown option --bogus");
  expect_error("/no/such/model --input-ids 1,2", "/no/such/model");
  std::string long_prompt = "1";
  for (int i = 0; i < 300; ++i) long_prompt += ",1";
  expect_error(m + " --input-ids " + long_prompt, "context is 256");
}

}  // namespace
