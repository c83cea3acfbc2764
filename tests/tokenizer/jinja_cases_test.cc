// The Jinja interpreter against transformers' own chat-template environment: every case in
// data/jinja_cases.jsonl was rendered by jinja2 (scripts/tokenizer_make_jinja_cases.py).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tokenizer/chat_template.h"

namespace {

using onnxgen::tokenizer::ChatTemplate;
using onnxgen::tokenizer::TemplateError;

std::vector<nlohmann::ordered_json> load_cases() {
  std::vector<nlohmann::ordered_json> cases;
  std::ifstream in(std::string(ONNXGEN_TOKENIZER_TEST_DATA) + "/jinja_cases.jsonl");
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) cases.push_back(nlohmann::ordered_json::parse(line));
  }
  return cases;
}

class JinjaCase : public ::testing::TestWithParam<nlohmann::ordered_json> {};

TEST_P(JinjaCase, MatchesJinja2) {
  const auto& c = GetParam();
  const std::string tmpl = c["template"];
  if (c.contains("rendered")) {
    EXPECT_EQ(ChatTemplate(tmpl).render(c["context"]), c["rendered"].get<std::string>()) << tmpl;
    return;
  }
  try {
    ChatTemplate(tmpl).render(c["context"]);
    ADD_FAILURE() << "expected " << c["error"] << " for " << tmpl;
  } catch (const TemplateError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("template line "), std::string::npos) << what;
    // A message the template author wrote must reach the user unchanged.
    if (c["error"] == "TemplateError") {
      EXPECT_NE(what.find(c["message"].get<std::string>()), std::string::npos) << what;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Jinja2, JinjaCase, ::testing::ValuesIn(load_cases()),
                         [](const auto& info) { return info.param["name"].template get<std::string>(); });

TEST(JinjaErrors, SyntaxErrorNamesTheLine) {
  try {
    ChatTemplate("line one\n{% if x %}\n{{ x + }}\n{% endif %}");
    FAIL() << "expected a syntax error";
  } catch (const TemplateError& e) {
    EXPECT_NE(std::string(e.what()).find("template line 3"), std::string::npos) << e.what();
  }
}

TEST(JinjaErrors, UnclosedBlockNamesWhatIsMissing) {
  try {
    ChatTemplate("{% for m in messages %}{{ m }}");
    FAIL() << "expected a syntax error";
  } catch (const TemplateError& e) {
    EXPECT_NE(std::string(e.what()).find("endfor"), std::string::npos) << e.what();
  }
}

TEST(JinjaErrors, RuntimeErrorNamesTheLine) {
  try {
    ChatTemplate("a\nb\n{{ messages[0].content.nope.deeper }}").render({{"messages", {{{"content", "x"}}}}});
    FAIL() << "expected an undefined error";
  } catch (const TemplateError& e) {
    EXPECT_NE(std::string(e.what()).find("template line 3"), std::string::npos) << e.what();
  }
}

TEST(JinjaErrors, RaiseExceptionCarriesTheMessage) {
  try {
    ChatTemplate("\n{{ raise_exception('roles must alternate') }}").render(nlohmann::ordered_json::object());
    FAIL() << "expected raise_exception to throw";
  } catch (const TemplateError& e) {
    EXPECT_NE(std::string(e.what()).find("template line 2: raise_exception: roles must alternate"), std::string::npos)
        << e.what();
  }
}

}  // namespace
