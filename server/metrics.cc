#include "server/metrics.h"

#include <algorithm>
#include <sstream>

namespace onnxgen::server {
namespace {

std::string format_number(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

void header(std::string& out, const std::string& name, const char* type, const char* help) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void sample(std::string& out, const std::string& name, double value) {
  out += name + " " + format_number(value) + "\n";
}

// An unlabelled counter or gauge: its HELP and TYPE lines, then its value.
void scalar(std::string& out, const std::string& name, const char* type, const char* help, double value) {
  header(out, name, type, help);
  sample(out, name, value);
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double v) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  ++counts_[i];
  sum_ += v;
  ++count_;
}

void Histogram::render(std::string& out, const std::string& name, const char* help) const {
  header(out, name, "histogram", help);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    out += name + "_bucket{le=\"" + format_number(bounds_[i]) + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += name + "_bucket{le=\"+Inf\"} " + std::to_string(count_) + "\n";
  sample(out, name + "_sum", sum_);
  sample(out, name + "_count", static_cast<double>(count_));
}

Metrics::Metrics()
    : time_to_first_token_({0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}),
      time_per_output_token_({0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}),
      request_latency_({0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600}) {}

void Metrics::count_request(const std::string& endpoint, int status) {
  std::lock_guard lock(mutex_);
  ++requests_[{endpoint, status}];
}

void Metrics::observe(const GenerationResult& result) {
  uint64_t generated = 0;
  for (const auto& s : result.sequences) generated += s.tokens.size();
  std::lock_guard lock(mutex_);
  prompt_tokens_ += result.prompt.size();
  cached_prompt_tokens_ += result.cached_prompt_tokens;
  generation_tokens_ += generated;
  if (generated == 0) return;
  time_to_first_token_.observe(result.time_to_first_token_s);
  request_latency_.observe(result.total_time_s);
  // Decode speed as a client sees it: the time after the first token, per later token of the
  // longest sequence (the n sequences of a request decode side by side).
  size_t longest = 0;
  for (const auto& s : result.sequences) longest = std::max(longest, s.tokens.size());
  if (longest > 1)
    time_per_output_token_.observe((result.total_time_s - result.time_to_first_token_s) / double(longest - 1));
}

std::string Metrics::render(const EngineStats& engine) const {
  std::string out;
  std::lock_guard lock(mutex_);
  header(out, "onnxgen_http_requests_total", "counter", "HTTP requests by endpoint and status code.");
  for (const auto& [key, n] : requests_)
    out += "onnxgen_http_requests_total{endpoint=\"" + key.first + "\",status=\"" + std::to_string(key.second) +
           "\"} " + std::to_string(n) + "\n";

  scalar(out, "onnxgen_prompt_tokens_total", "counter", "Prompt tokens of finished requests.", double(prompt_tokens_));
  scalar(out, "onnxgen_prompt_tokens_cached_total", "counter", "Prompt tokens served from the prefix cache.",
         double(cached_prompt_tokens_));
  scalar(out, "onnxgen_generation_tokens_total", "counter", "Generated tokens of finished requests.",
         double(generation_tokens_));

  time_to_first_token_.render(out, "onnxgen_time_to_first_token_seconds",
                              "Time from arrival to the first generated token.");
  time_per_output_token_.render(out, "onnxgen_time_per_output_token_seconds",
                                "Time per generated token after the first.");
  request_latency_.render(out, "onnxgen_request_latency_seconds", "Time from arrival to the last token.");

  scalar(out, "onnxgen_num_sequences_running", "gauge", "Sequences in the running batch.", double(engine.running));
  scalar(out, "onnxgen_num_sequences_waiting", "gauge", "Sequences waiting for admission.", double(engine.waiting));
  scalar(out, "onnxgen_kv_blocks_used", "gauge", "KV cache blocks held by sequences.", double(engine.kv_blocks_used));
  scalar(out, "onnxgen_kv_blocks_free", "gauge", "KV cache blocks not held by any sequence.",
         double(engine.kv_blocks_total - engine.kv_blocks_used));
  scalar(out, "onnxgen_prefix_cache_queries_total", "counter", "Full prompt blocks looked up in the prefix cache.",
         double(engine.prefix_cache_queries));
  scalar(out, "onnxgen_prefix_cache_hits_total", "counter", "Prompt blocks found in the prefix cache.",
         double(engine.prefix_cache_hits));
  scalar(out, "onnxgen_prefix_cache_hit_rate", "gauge", "Prefix cache hits / queries since start.",
         engine.prefix_cache_queries ? double(engine.prefix_cache_hits) / double(engine.prefix_cache_queries) : 0.0);
  scalar(out, "onnxgen_preemptions_total", "counter", "Sequences preempted (blocks freed, recomputed later).",
         double(engine.preemptions));
  scalar(out, "onnxgen_engine_prompt_tokens_total", "counter", "Prompt tokens the engine computed (not cached).",
         double(engine.prompt_tokens));
  scalar(out, "onnxgen_engine_generated_tokens_total", "counter",
         "Tokens the engine generated, cancelled requests included.", double(engine.generated_tokens));
  scalar(out, "onnxgen_engine_steps_total", "counter", "Model steps the engine ran.", double(engine.steps));
  return out;
}

}  // namespace onnxgen::server
