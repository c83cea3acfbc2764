#include "cli/model_flags.h"

#include <filesystem>
#include <stdexcept>

namespace onnxgen::cli {
namespace fs = std::filesystem;

const std::vector<std::string> kEngineFlags = {"device",       "threads",      "kv-cache-mb",      "kv-dtype",
                                               "weight-dtype", "block-size",   "max-num-seqs",     "max-batch-tokens",
                                               "no-prefix-caching"};
const std::vector<std::string> kGenerationFlags = {
    "max-length", "max-new-tokens", "min-new-tokens", "temperature", "top-k", "top-p", "min-p", "typical-p",
    "repetition-penalty", "presence-penalty", "frequency-penalty", "seed", "num-beams", "length-penalty",
    "early-stopping", "num-return-sequences", "n", "stop", "ignore-eos", "greedy", "sample"};

std::string default_model_dir() {
  std::vector<fs::path> candidates;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "share" / "onnxgen" / "default");
  candidates.emplace_back(ONNXGEN_DEFAULT_MODEL_DIR);
  for (const auto& c : candidates)
    if (fs::exists(c / "genai_config.json") || fs::exists(c / "config.json")) return c.string();
  throw std::runtime_error("no MODEL_DIR given and the default model is missing (looked in " +
                           candidates.back().string() + ")");
}

std::string model_dir_arg(const Args& args) {
  if (args.positional().size() > 1)
    throw std::runtime_error("expected one MODEL_DIR, got " + std::to_string(args.positional().size()) + " arguments");
  return args.positional().empty() ? default_model_dir() : args.positional().front();
}

EngineOptions engine_options(const Args& args) {
  EngineOptions o;
  o.device = args.get("device", o.device);
  o.threads = args.get_int("threads", o.threads);
  o.kv_cache_mb = args.get_int64("kv-cache-mb", o.kv_cache_mb);
  o.kv_dtype = args.get("kv-dtype", o.kv_dtype);
  o.weight_dtype = args.get("weight-dtype", o.weight_dtype);
  o.block_size = args.get_int("block-size", o.block_size);
  o.prefix_caching = !args.has("no-prefix-caching");
  o.max_num_seqs = args.get_int("max-num-seqs", o.max_num_seqs);
  o.max_batch_tokens = args.get_int("max-batch-tokens", o.max_batch_tokens);
  return o;
}

GenerationParams generation_params(const Args& args) {
  GenerationParams p;
  auto opt_int64 = [&](const char* name, std::optional<int64_t>& out) {
    if (args.has(name)) out = args.get_int64(name, 0);
  };
  auto opt_float = [&](const char* name, std::optional<float>& out) {
    if (args.has(name)) out = static_cast<float>(args.get_double(name, 0));
  };
  opt_int64("max-length", p.max_length);
  opt_int64("max-new-tokens", p.max_new_tokens);
  p.min_new_tokens = args.get_int64("min-new-tokens", 0);
  opt_float("temperature", p.temperature);
  if (args.has("top-k")) p.top_k = args.get_int("top-k", 0);
  opt_float("top-p", p.top_p);
  opt_float("min-p", p.min_p);
  opt_float("typical-p", p.typical_p);
  opt_float("repetition-penalty", p.repetition_penalty);
  p.presence_penalty = static_cast<float>(args.get_double("presence-penalty", 0));
  p.frequency_penalty = static_cast<float>(args.get_double("frequency-penalty", 0));
  if (args.has("seed")) p.seed = static_cast<uint64_t>(args.get_int64("seed", 0));
  if (args.has("num-beams")) p.num_beams = args.get_int("num-beams", 1);
  opt_float("length-penalty", p.length_penalty);
  if (args.has("early-stopping")) p.early_stopping = true;
  p.num_return_sequences = args.get_int("num-return-sequences", 1);
  p.n = args.get_int("n", 1);
  p.stop = args.get_all("stop");
  p.ignore_eos = args.has("ignore-eos");
  if (args.has("greedy") && args.has("sample")) throw std::runtime_error("--greedy and --sample contradict each other");
  if (args.has("greedy")) p.do_sample = false;
  if (args.has("sample")) p.do_sample = true;
  return p;
}

std::vector<std::string> with_model_flags(std::vector<std::string> known) {
  known.insert(known.end(), kEngineFlags.begin(), kEngineFlags.end());
  known.insert(known.end(), kGenerationFlags.begin(), kGenerationFlags.end());
  return known;
}

}  // namespace onnxgen::cli
