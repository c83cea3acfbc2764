// Heap allocations per steady-state decode step (issue 5), counted by the replaced global
// operator new of tests/support/allocation_counter.
//
// The model step allocates nothing: runner, executor, kernels, block pool and sampler together,
// for one sequence and for four, greedy and sampled (temperature + top-k + top-p with a seed, as
// the server samples). What makes it zero: Shape keeps its dims inline; the caching CPU allocator
// recycles each buffer's shared_ptr control block along with its memory; the executor and the
// paged runner keep their per-run vectors and step inputs' host arrays; kernels keep their
// working rows in per-thread scratch (runtime/core/scratch.h); the sampler and a sequence's block
// table and token lists are sized at admission; prefix-cache entries are made with the block pool
// and recycled.
//
// Through the Engine API a step also streams text, and that allocates nothing either: the
// tokenizer decodes into buffers the streaming detokenizer keeps (tokenizer.json tokenizers; a
// SentencePiece model decodes inside libsentencepiece, which allocates), stop matching returns
// views into its own buffer, and a sequence's event and result text are reserved at admission.
// (Requests asking for logprobs store their per-token alternatives, and the pull-style next()
// queues a copy of each event: those allocate for the data they hand out.)
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "allocation_counter.h"
#include "engine/model_loading.h"
#include "engine/request_state.h"
#include "onnxgen/engine.h"
#include "sampling/sampler.h"

namespace onnxgen {
namespace {

namespace fs = std::filesystem;
const fs::path kModel = fs::path(ONNXGEN_SOURCE_DIR) / "tests" / "fixtures" / "models" / "llama-genai-fp32";
constexpr int64_t kWarmupTokens = 8;
constexpr int64_t kCountedTokens = 16;

struct DecodeCase {
  int sequences;
  bool sampled;  // temperature + top-k + top-p with a seed and a stop string, as the server samples; else greedy
};

void PrintTo(const DecodeCase& c, std::ostream* os) {
  *os << c.sequences << (c.sampled ? " sampled" : " greedy") << " sequences";
}

GenerationParams params_for(const DecodeCase& c) {
  GenerationParams params;
  params.ignore_eos = true;
  // Room for the window to start a few steps late (see engine_allocations_over_decode_steps).
  params.max_new_tokens = kWarmupTokens + kCountedTokens + 16;
  params.do_sample = c.sampled;
  if (c.sampled) {
    params.temperature = 0.8f;
    params.top_k = 40;
    params.top_p = 0.9f;
    params.seed = 1234;
    params.stop = {"\nUSER:"};
  }
  return params;
}

EngineOptions engine_options() {
  EngineOptions options;
  options.log = [](const std::string&) {};
  options.kv_cache_mb = 16;
  options.threads = 2;
  return options;
}

std::vector<int32_t> prompt_of(int s) { return {1, 17 + s, 42, 99, 7 + s}; }

class DecodeAllocations : public ::testing::TestWithParam<DecodeCase> {};

// The engine's model step driven directly: one runner run over every sequence, then each
// sequence's sampler. Prefills and kWarmupTokens decode steps first, then counts.
TEST_P(DecodeAllocations, ModelStepsDoNotAllocate) {
  const DecodeCase c = GetParam();
  engine::LoadedModel model = engine::load_model_dir(kModel.string(), engine_options());
  engine::ModelRunner& runner = *model.runner;
  ASSERT_TRUE(runner.paged());
  sampling::SamplingParams sp;
  if (c.sampled) {
    sp.temperature = 0.8f;
    sp.top_k = 40;
    sp.top_p = 0.9f;
    sp.seed = 1234;
  }
  std::vector<std::shared_ptr<engine::RequestState>> requests;
  std::vector<std::unique_ptr<engine::Sequence>> seqs;
  for (int s = 0; s < c.sequences; ++s) {
    requests.push_back(std::make_shared<engine::RequestState>(s, prompt_of(s), engine::ResolvedParams{}, nullptr));
    auto seq = std::make_unique<engine::Sequence>(*requests.back(), 0, prompt_of(s), 5, *model.tokenizer, true,
                                                  std::vector<std::string>{});
    seq->tokens.reserve(64);
    seq->sampler = std::make_unique<sampling::Sampler>(sp, runner.vocab_size());
    seq->computed = runner.attach(*seq);
    seqs.push_back(std::move(seq));
  }
  std::vector<engine::StepChunk> chunks;
  chunks.reserve(seqs.size());
  auto step = [&] {
    chunks.clear();
    for (auto& seq : seqs) {
      ASSERT_TRUE(runner.reserve(*seq, seq->pending()));
      chunks.push_back({seq.get(), seq->pending(), true});
    }
    std::span<float> logits = runner.run(chunks);
    const auto vocab = static_cast<size_t>(runner.vocab_size());
    for (size_t i = 0; i < seqs.size(); ++i)
      seqs[i]->tokens.push_back(seqs[i]->sampler->sample(logits.subspan(i * vocab, vocab)).token);
  };
  for (int64_t i = 0; i <= kWarmupTokens; ++i) step();
  const int64_t before = testing::heap_allocations();
  for (int64_t i = 0; i < kCountedTokens; ++i) step();
  const int64_t allocations = testing::heap_allocations() - before;
  EXPECT_EQ(allocations, 0) << allocations << " heap allocations in " << kCountedTokens << " model steps";
  for (auto& seq : seqs) runner.release(*seq);
}

// Heap allocations over kCountedTokens decode steps of `c.sequences` concurrent requests through
// the Engine API, counted from the stream callback (on the engine thread, between steps) once
// request 0 has produced kWarmupTokens tokens and every request is decoding. On a loaded machine
// the main thread may submit the later requests many steps after the first (request 0 once
// finished before they came): request 0's first event holds the engine until all are submitted,
// and admissions, which allocate, stay outside the window.
int64_t engine_allocations_over_decode_steps(Engine& engine, const DecodeCase& c) {
  const GenerationParams params = params_for(c);
  std::vector<int64_t> produced(static_cast<size_t>(c.sequences), 0);  // written on the engine thread only
  int64_t counted_from = -1;
  std::atomic<int64_t> start{-1}, end{-1};
  std::atomic<int> submitted{0};
  std::vector<std::shared_ptr<Request>> requests;
  for (int s = 0; s < c.sequences; ++s) {
    // Request 0 is scheduled first in every step, so its events bracket whole steps.
    auto on_event = [&, s](const StreamEvent& ev) {
      if (ev.tokens.empty()) return;
      const int64_t n = ++produced[static_cast<size_t>(s)];
      if (s != 0) return;
      while (submitted.load() < c.sequences) std::this_thread::yield();
      if (counted_from < 0 && n >= kWarmupTokens && *std::min_element(produced.begin(), produced.end()) >= 2) {
        counted_from = n;
        start = testing::heap_allocations();
      } else if (counted_from >= 0 && n == counted_from + kCountedTokens) {
        end = testing::heap_allocations();
      }
    };
    requests.push_back(engine.submit(prompt_of(s), params, on_event));
    ++submitted;
  }
  for (auto& r : requests) {
    GenerationResult res = r->wait();
    EXPECT_TRUE(res.error.empty()) << res.error;
  }
  EXPECT_GE(start.load(), 0);
  EXPECT_GE(end.load(), 0);
  return end - start;
}

TEST_P(DecodeAllocations, EngineStepsDoNotAllocate) {
  const DecodeCase c = GetParam();
  auto engine = Engine::load(kModel.string(), engine_options());
  ASSERT_TRUE(engine->info().paged_attention);
  engine_allocations_over_decode_steps(*engine, c);  // the first requests size every cache
  const int64_t allocations = engine_allocations_over_decode_steps(*engine, c);
  EXPECT_EQ(allocations, 0)
      << allocations << " heap allocations in " << kCountedTokens << " engine steps";
}

INSTANTIATE_TEST_SUITE_P(Decode, DecodeAllocations,
                         ::testing::Values(DecodeCase{1, false}, DecodeCase{4, false}, DecodeCase{1, true},
                                           DecodeCase{4, true}),
                         [](const auto& info) {
                           return std::to_string(info.param.sequences) + "_sequences_" +
                                  (info.param.sampled ? "sampled" : "greedy");
                         });

}  // namespace
}  // namespace onnxgen
