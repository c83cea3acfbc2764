#pragma once
// The server's Prometheus metrics: request counts by endpoint and status, token counters, latency
// histograms, and the engine's gauges (sequences, KV blocks, prefix cache, preemptions) read at
// scrape time. Thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "onnxgen/engine.h"

namespace onnxgen::server {

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double v);
  // Prometheus text: HELP and TYPE, NAME_bucket{le=...} (cumulative), NAME_sum, NAME_count.
  void render(std::string& out, const std::string& name, const char* help) const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bucket, not cumulative; last one is +Inf
  double sum_ = 0;
  uint64_t count_ = 0;
};

class Metrics {
 public:
  Metrics();
  void count_request(const std::string& endpoint, int status);
  // A finished generation's tokens and timings.
  void observe(const GenerationResult& result);
  std::string render(const EngineStats& engine) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  uint64_t prompt_tokens_ = 0;
  uint64_t cached_prompt_tokens_ = 0;
  uint64_t generation_tokens_ = 0;
  Histogram time_to_first_token_;
  Histogram time_per_output_token_;
  Histogram request_latency_;
};

}  // namespace onnxgen::server
