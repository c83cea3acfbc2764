#include <gtest/gtest.h>

#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

Attribute strings_attr(std::vector<std::string> v) {
  Attribute a;
  a.kind = Attribute::Kind::kStrings;
  a.strings = std::move(v);
  return a;
}

TEST(StringNormalizer, DropsStopwordsIgnoringCaseThenLowers) {
  auto out = run_node("StringNormalizer", {make_tensor<std::string>({3}, {"The", "Cat", "the"})},
                      {{"stopwords", strings_attr({"the"})}, {"case_change_action", string_attribute("LOWER")}});
  EXPECT_EQ(values_of<std::string>(out[0]), (std::vector<std::string>{"cat"}));
}

TEST(StringNormalizer, AllStopwordsLeaveOneEmptyString) {
  auto out = run_node("StringNormalizer", {make_tensor<std::string>({1, 1}, {"a"})}, {{"stopwords", strings_attr({"a"})}});
  EXPECT_EQ(out[0].describe(), "string[1,1]");
  EXPECT_EQ(values_of<std::string>(out[0])[0], "");
}

TEST(TfIdfVectorizer, CountsUnigramsAndSkippedBigrams) {
  std::map<std::string, Attribute> attrs{{"min_gram_length", int_attribute(1)}, {"max_gram_length", int_attribute(2)},
                                         {"max_skip_count", int_attribute(1)},  {"mode", string_attribute("TF")},
                                         {"ngram_counts", ints_attribute({0, 2})}, {"ngram_indexes", ints_attribute({0, 1, 2})},
                                         {"pool_int64s", ints_attribute({5, 6, 5, 6})}};
  // Unigrams 5, 6; bigram (5, 6) adjacent once and with one skip once.
  auto out = run_node("TfIdfVectorizer", {make_tensor<int64_t>({4}, {5, 6, 6, 7})}, attrs);
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{1, 2, 2}));
}

TEST(StringNormalizer, RejectsNonStrings) {
  EXPECT_THROW(run_node("StringNormalizer", {make_tensor<float>({1}, {1})}), Error);
}

}  // namespace
}  // namespace onnxgen::testing
