// The public Engine API end to end on the committed real-export fixtures: greedy generation
// reproduces ONNX Runtime's greedy tokens, batch composition does not change results, sampling
// is reproducible by seed, and every way a request ends (length, stop, cancel, error) frees its
// KV blocks.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "onnxgen/engine.h"
#include "runtime/ops/cpu/batched_gemm.h"

namespace onnxgen {
namespace {

namespace fs = std::filesystem;
const fs::path kFixtures = fs::path(ONNXGEN_SOURCE_DIR) / "tests" / "fixtures" / "models";

struct Fixture {
  std::vector<int32_t> prompt;
  std::vector<int32_t> generated;
};

Fixture read_fixture(const fs::path& dir) {
  std::ifstream in(dir / "fixture.json");
  auto j = nlohmann::json::parse(in);
  return {j["prompt_ids"].get<std::vector<int32_t>>(), j["generated_ids"].get<std::vector<int32_t>>()};
}

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kFixtures))
    if (fs::exists(e.path() / "fixture.json")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

EngineOptions quiet_options() {
  EngineOptions o;
  o.log = [](const std::string&) {};
  o.kv_cache_mb = 16;
  return o;
}

GenerationParams greedy(int64_t new_tokens) {
  GenerationParams p;
  p.do_sample = false;
  p.max_new_tokens = new_tokens;
  p.ignore_eos = true;
  return p;
}

class FixtureGeneration : public ::testing::TestWithParam<std::string> {};

// fixture.json's generated ids are ONNX Runtime's argmax after the prefill and each decode step.
TEST_P(FixtureGeneration, GreedyMatchesOnnxRuntime) {
  const fs::path dir = kFixtures / GetParam();
  Fixture f = read_fixture(dir);
  auto engine = Engine::load(dir.string(), quiet_options());
  EXPECT_TRUE(engine->info().paged_attention);
  GenerationResult r = engine->generate(f.prompt, greedy(static_cast<int64_t>(f.generated.size())));
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.sequences.size(), 1u);
  EXPECT_EQ(r.sequences[0].tokens, f.generated);
  EXPECT_EQ(r.sequences[0].finish, FinishReason::kLength);
}

// The contiguous-KV fallback (the model as exported) gives the same tokens.
TEST_P(FixtureGeneration, ContiguousFallbackMatchesOnnxRuntime) {
  const fs::path dir = kFixtures / GetParam();
  Fixture f = read_fixture(dir);
  EngineOptions o = quiet_options();
  o.paged_attention = false;
  auto engine = Engine::load(dir.string(), o);
  ASSERT_FALSE(engine->info().paged_attention);
  GenerationResult r = engine->generate(f.prompt, greedy(static_cast<int64_t>(f.generated.size())));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.sequences.at(0).tokens, f.generated);
}

// The same prompt alone and batched with others of different lengths (one run mixing prefills
// and decodes) gives the same greedy tokens.
TEST_P(FixtureGeneration, BatchCompositionDoesNotChangeGreedyTokens) {
  const fs::path dir = kFixtures / GetParam();
  Fixture f = read_fixture(dir);
  auto engine = Engine::load(dir.string(), quiet_options());
  std::vector<int32_t> alone = engine->generate(f.prompt, greedy(12)).sequences.at(0).tokens;
  std::vector<std::shared_ptr<Request>> others;
  for (int i = 0; i < 3; ++i) {
    std::vector<int32_t> other(f.prompt.begin(), f.prompt.end());
    other.resize(other.size() + 3 * i + 1, 7 + i);
    others.push_back(engine->submit(other, greedy(8 + i)));
  }
  auto mine = engine->submit(f.prompt, greedy(12));
  EXPECT_EQ(mine->wait().sequences.at(0).tokens, alone);
  for (auto& o : others) EXPECT_TRUE(o->wait().error.empty());
  EXPECT_EQ(engine->stats().kv_blocks_used, 0);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureGeneration, ::testing::ValuesIn(fixture_names()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override { engine_ = Engine::load((kFixtures / "llama-genai-fp32").string(), quiet_options()); }
  std::shared_ptr<Engine> engine_;
  std::vector<int32_t> prompt_{40, 316, 298, 423, 277};
};

TEST_F(EngineTest, SeededSamplingIsReproducibleAndSeedsDiffer) {
  GenerationParams p;
  p.do_sample = true;
  p.temperature = 1.5f;
  p.max_new_tokens = 16;
  p.ignore_eos = true;
  p.seed = 42;
  auto a = engine_->generate(prompt_, p).sequences.at(0).tokens;
  auto b = engine_->generate(prompt_, p).sequences.at(0).tokens;
  EXPECT_EQ(a, b);
  p.seed = 43;
  EXPECT_NE(engine_->generate(prompt_, p).sequences.at(0).tokens, a);
}

TEST_F(EngineTest, ParallelSamplesShareThePromptAndDiffer) {
  GenerationParams p;
  p.do_sample = true;
  p.temperature = 1.5f;
  p.max_new_tokens = 10;
  p.ignore_eos = true;
  p.seed = 7;
  p.n = 4;
  GenerationResult r = engine_->generate(prompt_, p);
  ASSERT_EQ(r.sequences.size(), 4u);
  std::set<std::vector<int32_t>> distinct;
  for (const auto& s : r.sequences) {
    EXPECT_EQ(s.tokens.size(), 10u);
    distinct.insert(s.tokens);
  }
  EXPECT_GT(distinct.size(), 1u);
  EXPECT_EQ(engine_->stats().kv_blocks_used, 0);
}

TEST_F(EngineTest, StreamedEventsAddUpToTheResult) {
  std::string text;
  std::vector<int32_t> tokens;
  FinishReason last = FinishReason::kNone;
  GenerationResult r = engine_->generate(prompt_, greedy(9), [&](const StreamEvent& ev) {
    text += ev.text;
    tokens.insert(tokens.end(), ev.tokens.begin(), ev.tokens.end());
    last = ev.finish;
  });
  EXPECT_EQ(tokens, r.sequences.at(0).tokens);
  EXPECT_EQ(text, r.sequences.at(0).text);
  EXPECT_EQ(text, engine_->decode(tokens));
  EXPECT_EQ(last, FinishReason::kLength);
}

TEST_F(EngineTest, PullIteratorDeliversEveryEvent) {
  auto req = engine_->submit(prompt_, greedy(6));
  StreamEvent ev;
  size_t tokens = 0;
  while (req->next(ev)) tokens += ev.tokens.size();
  EXPECT_EQ(tokens, 6u);
  EXPECT_TRUE(req->done());
}

TEST_F(EngineTest, StopStringEndsGenerationAndIsNotEmitted) {
  std::string full = engine_->generate(prompt_, greedy(16)).sequences.at(0).text;
  ASSERT_GE(full.size(), 6u);
  GenerationParams p = greedy(16);
  std::string stop = full.substr(3, 2);
  p.stop = {stop};
  SequenceResult s = engine_->generate(prompt_, p).sequences.at(0);
  EXPECT_EQ(s.finish, FinishReason::kStop);
  EXPECT_EQ(s.text, full.substr(0, full.find(stop)));
}

TEST_F(EngineTest, CancelStopsARequestAndFreesItsBlocks) {
  std::atomic<int> events{0};
  std::shared_ptr<Request> req;
  GenerationParams p = greedy(200);
  req = engine_->submit(prompt_, p, [&](const StreamEvent&) { ++events; });
  while (events < 3) std::this_thread::yield();
  req->cancel();
  GenerationResult r = req->wait();
  EXPECT_EQ(r.sequences.at(0).finish, FinishReason::kCancelled);
  EXPECT_LT(r.sequences.at(0).tokens.size(), 200u);
  EXPECT_EQ(engine_->stats().kv_blocks_used, 0);
}

TEST_F(EngineTest, BeamSearchReturnsRankedSequences) {
  GenerationParams p = greedy(6);
  p.num_beams = 4;
  p.num_return_sequences = 3;
  GenerationResult r = engine_->generate(prompt_, p);
  ASSERT_EQ(r.sequences.size(), 3u);
  for (size_t i = 1; i < r.sequences.size(); ++i) EXPECT_GE(r.sequences[i - 1].score, r.sequences[i].score);
  EXPECT_EQ(engine_->stats().kv_blocks_used, 0);
}

TEST_F(EngineTest, BadRequestsAreRejectedWithTheParameterAtFault) {
  auto param_of = [&](std::vector<int32_t> prompt, GenerationParams p) {
    try {
      engine_->submit(std::move(prompt), p);
    } catch (const InvalidRequest& e) {
      return e.param();
    }
    return std::string("accepted");
  };
  EXPECT_EQ(param_of({}, greedy(1)), "prompt");
  EXPECT_EQ(param_of({1, 100000}, greedy(1)), "prompt");
  EXPECT_EQ(param_of(std::vector<int32_t>(engine_->info().context_length, 5), greedy(1)), "prompt");
  GenerationParams p = greedy(1);
  p.temperature = -1;
  p.do_sample = true;
  EXPECT_EQ(param_of(prompt_, p), "temperature");
  p = greedy(1);
  p.n = 0;
  EXPECT_EQ(param_of(prompt_, p), "n");
  p = greedy(1);
  p.max_new_tokens = 0;
  EXPECT_EQ(param_of(prompt_, p), "max_tokens");
}

TEST_F(EngineTest, ManyConcurrentRequestsAllFinishAndFreeTheCache) {
  std::vector<std::shared_ptr<Request>> reqs;
  for (int i = 0; i < 24; ++i) {
    std::vector<int32_t> p(prompt_);
    p.resize(p.size() + static_cast<size_t>(i % 7), static_cast<int32_t>(10 + i));
    reqs.push_back(engine_->submit(p, greedy(5 + i % 5)));
  }
  for (size_t i = 0; i < reqs.size(); ++i) {
    GenerationResult r = reqs[i]->wait();
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.sequences.at(0).tokens.size(), 5 + i % 5);
  }
  EngineStats s = engine_->stats();
  EXPECT_EQ(s.kv_blocks_used, 0);
  EXPECT_EQ(s.running, 0);
  EXPECT_EQ(s.waiting, 0);
}

TEST(EngineLoad, HalfPrecisionKvCacheKeepsGreedyTokens) {
  const fs::path dir = kFixtures / "llama-genai-fp32";
  Fixture f = read_fixture(dir);
  EngineOptions o = quiet_options();
  o.kv_dtype = "fp16";
  auto engine = Engine::load(dir.string(), o);
  EXPECT_EQ(engine->generate(f.prompt, greedy(static_cast<int64_t>(f.generated.size()))).sequences.at(0).tokens,
            f.generated);
  o.kv_dtype = "int3";
  EXPECT_THROW(Engine::load(dir.string(), o), std::exception);
}

// The fixture's greedy picks are far enough apart for bfloat16 weights to keep every one.
TEST(EngineLoad, Bf16WeightsKeepGreedyTokens) {
  const fs::path dir = kFixtures / "llama-genai-fp32";
  EngineOptions o = quiet_options();
  o.weight_dtype = "bf16";
  if (!bf16_weights_supported()) {
    EXPECT_THROW(Engine::load(dir.string(), o), std::exception);
    GTEST_SKIP() << "this CPU has no AVX512_BF16";
  }
  Fixture f = read_fixture(dir);
  auto engine = Engine::load(dir.string(), o);
  EXPECT_EQ(engine->generate(f.prompt, greedy(static_cast<int64_t>(f.generated.size()))).sequences.at(0).tokens,
            f.generated);
  o.weight_dtype = "fp8";
  EXPECT_THROW(Engine::load(dir.string(), o), std::exception);
}

// A shared prompt prefix is served from the prefix cache the second time, with identical output.
TEST(EngineLoad, PrefixCacheServesARepeatedPrompt) {
  auto engine = Engine::load((kFixtures / "llama-genai-fp32").string(), quiet_options());
  std::vector<int32_t> prompt;
  for (int i = 0; i < 40; ++i) prompt.push_back(3 + (i * 7) % 300);
  GenerationResult first = engine->generate(prompt, greedy(6));
  GenerationResult second = engine->generate(prompt, greedy(6));
  EXPECT_EQ(first.cached_prompt_tokens, 0);
  EXPECT_EQ(second.cached_prompt_tokens, 32);  // two full blocks of 16; the last block is recomputed
  EXPECT_EQ(first.sequences.at(0).tokens, second.sequences.at(0).tokens);
  EXPECT_GT(engine->stats().prefix_cache_hits, 0);
}

// A pool too small for every request at once preempts and recomputes; outputs do not change.
TEST(EngineLoad, PreemptionUnderATinyCacheKeepsOutputs) {
  const fs::path dir = kFixtures / "llama-genai-fp32";
  auto roomy = Engine::load(dir.string(), quiet_options());
  EngineOptions o = quiet_options();
  o.kv_cache_blocks = 24;  // 384 tokens for 8 requests of 70-115 tokens each
  auto tight = Engine::load(dir.string(), o);
  std::vector<std::vector<int32_t>> prompts;
  for (int r = 0; r < 8; ++r) {
    std::vector<int32_t> p;
    for (int i = 0; i < 30 + r * 5; ++i) p.push_back(5 + (i * 13 + r) % 400);
    prompts.push_back(p);
  }
  std::vector<std::shared_ptr<Request>> reqs;
  for (const auto& p : prompts) reqs.push_back(tight->submit(p, greedy(40)));
  for (size_t r = 0; r < prompts.size(); ++r) {
    GenerationResult got = reqs[r]->wait();
    ASSERT_TRUE(got.error.empty()) << got.error;
    EXPECT_EQ(got.sequences.at(0).tokens, roomy->generate(prompts[r], greedy(40)).sequences.at(0).tokens) << r;
  }
  EXPECT_GT(tight->stats().preemptions, 0);
  EXPECT_EQ(tight->stats().kv_blocks_used, 0);
}

// A request that cannot fit even an empty cache fails with a message instead of waiting forever.
TEST(EngineLoad, RequestLargerThanTheCacheFailsClearly) {
  EngineOptions o = quiet_options();
  o.kv_cache_blocks = 4;  // 64 tokens
  auto engine = Engine::load((kFixtures / "llama-genai-fp32").string(), o);
  GenerationResult r = engine->generate(std::vector<int32_t>(100, 9), greedy(5));
  EXPECT_NE(r.error.find("KV cache"), std::string::npos) << r.error;
  EXPECT_EQ(r.sequences.at(0).finish, FinishReason::kError);
  // A request that fits still runs afterwards.
  EXPECT_TRUE(engine->generate(std::vector<int32_t>(20, 9), greedy(5)).error.empty());
  EXPECT_EQ(engine->stats().kv_blocks_used, 0);
}

// Chunked prefill (a small token budget per step) computes the same thing as one big prefill.
TEST(EngineLoad, ChunkedPrefillKeepsOutputs) {
  const fs::path dir = kFixtures / "llama-genai-fp32";
  std::vector<int32_t> prompt;
  for (int i = 0; i < 150; ++i) prompt.push_back(4 + (i * 31) % 500);
  auto whole = Engine::load(dir.string(), quiet_options());
  EngineOptions o = quiet_options();
  o.max_batch_tokens = 16;
  o.max_num_seqs = 4;
  auto chunked = Engine::load(dir.string(), o);
  EXPECT_EQ(chunked->generate(prompt, greedy(8)).sequences.at(0).tokens,
            whole->generate(prompt, greedy(8)).sequences.at(0).tokens);
  EXPECT_GE(chunked->stats().steps, 150 / 16 + 8 - 1);
}

TEST_F(EngineTest, LogprobsReportTheChosenTokenAndRankedAlternatives) {
  GenerationParams p = greedy(5);
  p.logprobs = true;
  p.top_logprobs = 3;
  SequenceResult s = engine_->generate(prompt_, p).sequences.at(0);
  ASSERT_EQ(s.logprobs.size(), 5u);
  for (size_t i = 0; i < s.logprobs.size(); ++i) {
    const TokenLogprobs& lp = s.logprobs[i];
    EXPECT_EQ(lp.token, s.tokens[i]);
    EXPECT_LE(lp.logprob, 0.0f);
    ASSERT_EQ(lp.top.size(), 3u);
    EXPECT_EQ(lp.top[0].token, lp.token);  // greedy picks the most likely
    EXPECT_FLOAT_EQ(lp.top[0].logprob, lp.logprob);
    EXPECT_GE(lp.top[0].logprob, lp.top[1].logprob);
    EXPECT_GE(lp.top[1].logprob, lp.top[2].logprob);
  }
}

TEST_F(EngineTest, StopTokenIdsEndGenerationAndMinNewTokensDefersThem) {
  std::vector<int32_t> free_run = engine_->generate(prompt_, greedy(8)).sequences.at(0).tokens;
  GenerationParams p = greedy(8);
  p.stop_token_ids = {free_run[2]};
  SequenceResult stopped = engine_->generate(prompt_, p).sequences.at(0);
  EXPECT_EQ(stopped.finish, FinishReason::kStop);
  EXPECT_EQ(stopped.tokens.back(), free_run[2]);
  EXPECT_LE(stopped.tokens.size(), 3u);
  p.min_new_tokens = 6;
  SequenceResult deferred = engine_->generate(prompt_, p).sequences.at(0);
  EXPECT_GE(deferred.tokens.size(), 6u);
  for (size_t i = 0; i + 1 < 6 && i < deferred.tokens.size(); ++i) EXPECT_NE(deferred.tokens[i], free_run[2]) << i;
}

TEST(EngineLoad, MissingDirectoryNamesIt) {
  try {
    Engine::load("/nonexistent/model", quiet_options());
    FAIL() << "loaded a missing model";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace onnxgen
