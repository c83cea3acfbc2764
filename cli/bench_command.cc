// onnxgen bench [MODEL_DIR] --prompt-len P --gen N --batch B --threads T --repeat R [--json]
//
// llama-bench style figures through the public Engine API: B requests of P synthetic prompt ids,
// greedy, eos ignored, N tokens each. Prefill (pp) is timed from submission to the first token,
// generation (tg) from the last first token to the last token. One untimed warm-up run comes
// first; figures are medians over the repeats. Decoding reads every weight once per step, so
// the bench also measures the machine's read bandwidth with the same threads and reports how
// close the weight stream per step gets to it (the roofline fraction).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "cli/commands.h"
#include "cli/model_flags.h"
#include "models/model_config.h"
#include "models/tied_embedding_gather.h"
#include "runtime/core/device_backend.h"
#include "runtime/core/device_traffic.h"
#include "runtime/core/huge_page_arena.h"
#include "runtime/core/simd.h"
#include "runtime/core/thread_pool.h"
#include "runtime/graph/bf16_weights.h"
#include "runtime/graph/model_loader.h"

namespace onnxgen::cli {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Bytes a decode step streams: every initializer except tables only gathered from (token
// embeddings), of which a step reads a few rows.
int64_t streamed_weight_bytes(const std::string& model_dir, bool bf16_weights) {
  Model model = load_model(models::ModelConfig::load(model_dir).decoder_path);
  // As the engine loads it: a tied embedding gathers columns of the output projection, so only
  // that projection reads it whole.
  models::TiedEmbeddingGather().run(model);
  if (bf16_weights) Bf16WeightsPass().run(model);
  const Graph& g = *model.graph;
  // Weights read whole every step, as stored or (MatMulBf16Weights' B) as bfloat16 copies.
  std::unordered_set<std::string> read_whole, read_as_bf16;
  for (const Node& n : g.nodes) {
    const bool gather = n.op_type == "Gather" || n.op_type == "GatherBlockQuantized" || n.op_type == "GatherColumnsBf16";
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (gather && i == 0) continue;
      (n.op_type == "MatMulBf16Weights" && i == 1 ? read_as_bf16 : read_whole).insert(n.inputs[i]);
    }
  }
  int64_t bytes = 0;
  for (const auto& [name, t] : g.initializers) {
    if (read_whole.count(name))
      bytes += static_cast<int64_t>(t.bytes());
    else if (read_as_bf16.count(name))
      bytes += static_cast<int64_t>(t.bytes() / 2);
  }
  return bytes;
}

ONNXGEN_SIMD_CLONES uint64_t sum_words(const uint64_t* __restrict p, int64_t n) {
  uint64_t s = 0;
  for (int64_t i = 0; i < n; ++i) s += p[i];
  return s;
}

// Read bandwidth of `threads` threads streaming a 1 GiB buffer (best of five passes). On huge
// pages, as the kernels' repacked weights are: the hardware prefetcher then runs across 2 MiB
// instead of stopping every 4 KiB, and weights streamed that way read faster than a probe on
// small pages measured (Qwen2.5 int4 decode once came to 108% of it).
double read_bandwidth_gb_s(ThreadPool& pool) {
  const int64_t words = (int64_t{1} << 30) / 8;
  const std::unique_ptr<uint64_t[], void (*)(void*)> buf{
      static_cast<uint64_t*>(huge_page_arena::allocate(static_cast<size_t>(words) * 8)), huge_page_arena::free};
  std::fill_n(buf.get(), words, uint64_t{1});
  const int64_t chunks = pool.num_threads() * 16;
  double best = 0;
  std::vector<uint64_t> sums(static_cast<size_t>(chunks));
  for (int pass = 0; pass < 5; ++pass) {
    auto t0 = Clock::now();
    pool.parallel_for(chunks, 1, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) {
        const int64_t lo = words * c / chunks, hi = words * (c + 1) / chunks;
        sums[static_cast<size_t>(c)] = sum_words(buf.get() + lo, hi - lo);
      }
    });
    double dt = seconds(t0, Clock::now());
    uint64_t total = 0;
    for (uint64_t s : sums) total += s;
    if (total != static_cast<uint64_t>(words)) throw std::runtime_error("bandwidth probe read back a wrong sum");
    best = std::max(best, static_cast<double>(words * 8) / dt / 1e9);
  }
  return best;
}

// A device's copy bandwidth (bytes read plus bytes written per second) of a 512 MiB copy, best
// of five; decode on a GPU streams its weights from device memory, so this is its roofline.
double device_copy_bandwidth_gb_s(Device device) {
  const size_t bytes = size_t{1} << 29;
  Allocator& allocator = allocator_for(device);
  const auto src = allocator.allocate(bytes), dst = allocator.allocate(bytes);
  DeviceBackend& backend = device_backend(device);
  char done = 0;
  double best = 0;
  for (int pass = 0; pass < 5; ++pass) {
    auto t0 = Clock::now();
    backend.copy(dst->data(), src->data(), bytes);
    backend.download(&done, dst->data(), 1);  // waits for the copy queued before it
    best = std::max(best, 2.0 * static_cast<double>(bytes) / seconds(t0, Clock::now()) / 1e9);
  }
  return best;
}

double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

struct RunTimes {
  double ttft_s;         // submission → the first request's first token
  double prefill_s;      // submission → every request's first token
  double decode_s;       // every request's first token → the last token
  int64_t decode_tokens;  // tokens generated after the first ones
  DeviceTraffic decode_traffic;  // host <-> device copies and host-placed nodes of the decode steps
};

RunTimes run_once(Engine& engine, int64_t prompt_len, int64_t gen, int batch, std::mt19937& rng) {
  const int64_t vocab = engine.info().vocab_size;
  std::uniform_int_distribution<int32_t> id(std::min<int32_t>(10, static_cast<int32_t>(vocab - 1)),
                                            static_cast<int32_t>(vocab - 1));
  GenerationParams params;
  params.max_new_tokens = gen;
  params.do_sample = false;
  params.ignore_eos = true;
  std::vector<Clock::time_point> first(static_cast<size_t>(batch)), last(static_cast<size_t>(batch));
  std::vector<int64_t> counts(static_cast<size_t>(batch), 0);
  std::vector<std::vector<int32_t>> prompts(static_cast<size_t>(batch));
  for (auto& p : prompts) {
    p.resize(static_cast<size_t>(prompt_len));
    for (auto& t : p) t = id(rng);
  }
  std::vector<std::shared_ptr<Request>> requests;
  // Callbacks run on the engine thread between steps, so the last first token marks where the
  // decode steps' traffic starts.
  int first_tokens = 0;
  DeviceTraffic at_decode;
  const auto t0 = Clock::now();
  for (int b = 0; b < batch; ++b) {
    auto on_event = [&, b](const StreamEvent& ev) {
      if (ev.tokens.empty()) return;
      auto now = Clock::now();
      if (counts[static_cast<size_t>(b)] == 0) {
        first[static_cast<size_t>(b)] = now;
        if (++first_tokens == batch) at_decode = device_traffic();
      }
      last[static_cast<size_t>(b)] = now;
      counts[static_cast<size_t>(b)] += static_cast<int64_t>(ev.tokens.size());
    };
    requests.push_back(engine.submit(std::move(prompts[static_cast<size_t>(b)]), params, on_event));
  }
  for (auto& r : requests) {
    GenerationResult res = r->wait();
    if (!res.error.empty()) throw std::runtime_error("generation failed: " + res.error);
  }
  RunTimes t{};
  t.decode_traffic = device_traffic().since(at_decode);
  const auto first_all = *std::max_element(first.begin(), first.end());
  t.ttft_s = seconds(t0, *std::min_element(first.begin(), first.end()));
  t.prefill_s = seconds(t0, first_all);
  t.decode_s = seconds(first_all, *std::max_element(last.begin(), last.end()));
  for (int64_t c : counts) {
    if (c != gen) throw std::runtime_error("a request generated " + std::to_string(c) + " tokens, not " + std::to_string(gen));
    t.decode_tokens += c - 1;
  }
  return t;
}

}  // namespace

int run_bench(const Args& args) {
  args.allow_only(with_model_flags({"prompt-len", "gen", "batch", "repeat", "json"}));
  const int64_t prompt_len = args.get_int64("prompt-len", 128);
  const int64_t gen = args.get_int64("gen", 64);
  const int batch = args.get_int("batch", 1);
  const int repeat = args.get_int("repeat", 3);
  if (prompt_len < 1 || gen < 2 || batch < 1 || repeat < 1)
    throw std::runtime_error("--prompt-len and --batch must be >= 1, --gen >= 2, --repeat >= 1");
  const std::string dir = model_dir_arg(args);
  EngineOptions options = engine_options(args);
  options.prefix_caching = false;  // repeated prompts must be computed, not served from the cache
  options.max_num_seqs = std::max(options.max_num_seqs, batch);
  options.log = [](const std::string&) {};

  const auto load_start = Clock::now();
  auto engine = Engine::load(dir, options);
  const double load_s = seconds(load_start, Clock::now());
  const int64_t weight_bytes = streamed_weight_bytes(dir, options.weight_dtype == "bf16");

  std::mt19937 rng(1234);
  run_once(*engine, prompt_len, gen, batch, rng);  // warm-up: first-touch of weights and caches
  std::vector<double> pp, tg, ttft;
  DeviceTraffic decode_traffic;
  for (int r = 0; r < repeat; ++r) {
    RunTimes t = run_once(*engine, prompt_len, gen, batch, rng);
    decode_traffic = t.decode_traffic;
    pp.push_back(static_cast<double>(prompt_len * batch) / t.prefill_s);
    tg.push_back(static_cast<double>(t.decode_tokens) / t.decode_s);
    ttft.push_back(t.ttft_s * 1e3);
  }
  const double rss = peak_rss_mb();  // before the bandwidth probe's buffer counts
  engine->shutdown();
  const Device device = parse_device(options.device);
  const double bandwidth =
      device == Device::cpu() ? read_bandwidth_gb_s(ThreadPool::global()) : device_copy_bandwidth_gb_s(device);

  const double prefill_tok_s = median(pp), decode_tok_s = median(tg), ttft_ms = median(ttft);
  const double weight_gb_s = static_cast<double>(weight_bytes) * decode_tok_s / batch / 1e9;
  const double roofline = weight_gb_s / bandwidth;
  const int threads = ThreadPool::global().num_threads();
  if (args.has("json")) {
    std::printf(
        "{\"model\": \"%s\", \"prompt_len\": %lld, \"gen\": %lld, \"batch\": %d, \"threads\": %d, \"repeat\": %d, "
        "\"load_s\": %.4f, \"prefill_tok_s\": %.2f, \"decode_tok_s\": %.2f, \"ttft_ms\": %.2f, \"peak_rss_mb\": %.1f, "
        "\"weight_mb\": %.1f, \"weight_gb_s\": %.3f, \"bandwidth_gb_s\": %.3f, \"roofline_fraction\": %.4f}\n",
        engine->info().name.c_str(), static_cast<long long>(prompt_len), static_cast<long long>(gen), batch, threads,
        repeat, load_s, prefill_tok_s, decode_tok_s, ttft_ms, rss, weight_bytes / 1048576.0, weight_gb_s, bandwidth,
        roofline);
    return 0;
  }
  std::printf("model %s: %.1f MiB of weights streamed per step, loaded in %.3f s, %d threads\n",
              engine->info().name.c_str(), weight_bytes / 1048576.0, load_s, threads);
  std::printf("  pp%-5lld %10.2f tok/s   (batch %d, median of %d)\n", static_cast<long long>(prompt_len), prefill_tok_s,
              batch, repeat);
  std::printf("  tg%-5lld %10.2f tok/s\n", static_cast<long long>(gen), decode_tok_s);
  std::printf("  ttft     %10.2f ms\n", ttft_ms);
  std::printf("  peak RSS %10.1f MiB\n", rss);
  std::printf("  weights  %10.3f GB/s of %.3f GB/s %s bandwidth: %.1f%% of the roofline\n", weight_gb_s, bandwidth,
              device == Device::cpu() ? "read" : "device copy", 100 * roofline);
  if (const auto steps = static_cast<double>(decode_traffic.device_runs); steps > 0)
    std::printf("  per decode step (last run, %.0f steps): host->device %.1f KiB in %.1f copies, device->host %.1f KiB "
                "in %.1f copies, %.1f nodes on the CPU\n",
                steps, static_cast<double>(decode_traffic.upload_bytes) / 1024 / steps,
                static_cast<double>(decode_traffic.uploads) / steps,
                static_cast<double>(decode_traffic.download_bytes) / 1024 / steps,
                static_cast<double>(decode_traffic.downloads) / steps, static_cast<double>(decode_traffic.host_steps) / steps);
  return 0;
}

}  // namespace onnxgen::cli
