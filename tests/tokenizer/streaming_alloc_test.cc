// Streaming detokenization and stop matching allocate nothing once warm (issue 5): every
// generated token goes through them, so a per-token allocation here would be one in every decode
// step. Covers each decoder family of the own fixtures (ByteLevel; Replace + ByteFallback + Fuse
// + Strip; Metaspace; WordPiece).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "allocation_counter.h"
#include "sampling/stop_matcher.h"
#include "tokenizer/streaming_detokenizer.h"

namespace {

namespace fs = std::filesystem;
using onnxgen::sampling::StopMatcher;
using onnxgen::tokenizer::StreamingDetokenizer;
using onnxgen::tokenizer::Tokenizer;

// Every fixture case's ids for `fixture`, concatenated: a long, varied token stream.
std::vector<int32_t> fixture_ids(const std::string& fixture) {
  std::vector<int32_t> ids;
  std::ifstream in(fs::path(ONNXGEN_TOKENIZER_TEST_DATA) / "fixture_cases.jsonl");
  for (std::string line; std::getline(in, line);) {
    const auto c = nlohmann::json::parse(line);
    if (c["fixture"] != fixture) continue;
    for (const auto& id : c["ids"]) ids.push_back(id.get<int32_t>());
  }
  return ids;
}

// Streams `ids` through a detokenizer and a stop matcher whose stop never occurs, as the engine
// does for a sequence; returns the emitted text's length so the work cannot be optimised away.
size_t stream(StreamingDetokenizer& detok, StopMatcher& stops, const std::vector<int32_t>& ids) {
  size_t emitted = 0;
  for (const int32_t id : ids) emitted += stops.feed(detok.put(id)).size();
  emitted += stops.feed(detok.flush()).size();
  return emitted;
}

class StreamingAllocations : public ::testing::TestWithParam<std::string> {};

TEST_P(StreamingAllocations, WarmStreamingDoesNotAllocate) {
  const auto tok = Tokenizer::load(fs::path(ONNXGEN_TOKENIZER_TEST_DATA) / "fixtures" / (GetParam() + ".json"));
  const std::vector<int32_t> ids = fixture_ids(GetParam());
  ASSERT_GT(ids.size(), 50u);
  StreamingDetokenizer detok(*tok);
  StopMatcher stops({"\x01never\x01"});
  const size_t warm = stream(detok, stops, ids);
  ASSERT_GT(warm, 0u);
  const int64_t before = onnxgen::testing::heap_allocations();
  const size_t again = stream(detok, stops, ids);
  const int64_t allocations = onnxgen::testing::heap_allocations() - before;
  EXPECT_EQ(again, warm);
  EXPECT_EQ(allocations, 0) << allocations << " heap allocations streaming " << ids.size() << " tokens";
}

INSTANTIATE_TEST_SUITE_P(Own, StreamingAllocations,
                         ::testing::Values("byte_level_bpe", "tiktoken_style_bpe", "sentencepiece_bpe", "unigram",
                                           "wordpiece", "whitespace_wordpiece"),
                         [](const auto& info) { return info.param; });

}  // namespace
