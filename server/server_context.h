#pragma once
// What every endpoint handler shares: the engine, the options, the metrics and the server's state.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "onnxgen/engine.h"
#include "server/metrics.h"
#include "server/server_options.h"

namespace onnxgen::server {

struct ServerContext {
  std::shared_ptr<Engine> engine;
  ServerOptions options;
  std::string model_name;
  Metrics metrics;
  std::atomic<bool> draining{false};  // shutting down: new work gets 503
  std::atomic<int> in_flight{0};      // generations not yet answered in full

  std::chrono::steady_clock::time_point deadline_from_now() const {
    return std::chrono::steady_clock::now() +
           std::chrono::duration_cast<std::chrono::steady_clock::duration>(
               std::chrono::duration<double>(options.request_timeout_s));
  }
};

// Counts a generation in ServerContext::in_flight for as long as it lives.
class InFlight {
 public:
  explicit InFlight(ServerContext& ctx) : ctx_(ctx) { ++ctx_.in_flight; }
  ~InFlight() { --ctx_.in_flight; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  ServerContext& ctx_;
};

}  // namespace onnxgen::server
