// `onnxgen serve`: the model behind an OpenAI-compatible HTTP API (server/).
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <ctime>
#include <functional>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/model_flags.h"
#include "runtime/core/error.h"
#include "server/http_server.h"

namespace onnxgen::cli {
namespace {

// SIGTERM and SIGINT are taken by one thread with sigwait, so the shutdown runs as ordinary code
// rather than in a signal handler. Every thread started after the constructor inherits the mask.
class ShutdownSignals {
 public:
  ShutdownSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    // A client that hangs up mid-response must not kill the server.
    signal(SIGPIPE, SIG_IGN);
  }

  // Runs `on_signal` on a waiting thread when a signal arrives; stop() ends the wait otherwise.
  void watch(std::function<void()> on_signal) {
    watcher_ = std::thread([this, on_signal = std::move(on_signal)] {
      const timespec poll{0, 100'000'000};
      while (!stopping_) {
        int sig = sigtimedwait(&set_, nullptr, &poll);
        if (sig == SIGTERM || sig == SIGINT) {
          std::cerr << "onnxgen serve: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", shutting down\n";
          on_signal();
          return;
        }
      }
    });
  }

  // Ends the wait (or lets a running on_signal finish) and joins the watching thread.
  void stop() {
    stopping_ = true;
    if (watcher_.joinable()) watcher_.join();
  }
  ~ShutdownSignals() { stop(); }

 private:
  sigset_t set_;
  std::atomic<bool> stopping_{false};
  std::thread watcher_;
};

}  // namespace

int run_serve(const Args& args) {
  args.allow_only(with_model_flags({"host", "port", "api-key", "max-queue", "served-model-name", "max-body-mb",
                                    "request-timeout", "shutdown-grace", "http-threads", "no-prefix-caching"}));
  ShutdownSignals signals;

  EngineOptions engine_opts = engine_options(args);
  engine_opts.max_queue = args.get_int("max-queue", engine_opts.max_queue);
  engine_opts.prefix_caching = !args.has("no-prefix-caching");
  ONNXGEN_CHECK(engine_opts.max_queue >= 0, "--max-queue must be 0 (unbounded) or positive");

  server::ServerOptions opts;
  opts.host = args.get("host", opts.host);
  opts.port = args.get_int("port", opts.port);
  ONNXGEN_CHECK(opts.port >= 0 && opts.port <= 65535, "--port must be 0-65535, got ", opts.port);
  opts.api_key = args.get("api-key");
  opts.served_model_name = args.get("served-model-name");
  opts.max_body_bytes = static_cast<size_t>(args.get_int64("max-body-mb", 8)) << 20;
  opts.request_timeout_s = args.get_double("request-timeout", opts.request_timeout_s);
  opts.shutdown_grace_s = args.get_double("shutdown-grace", opts.shutdown_grace_s);
  ONNXGEN_CHECK(opts.request_timeout_s > 0, "--request-timeout must be positive");
  // Each streamed response holds an HTTP thread: one per sequence the engine runs or queues, plus
  // a few for health checks and metrics scrapes.
  const int queued = engine_opts.max_queue > 0 ? engine_opts.max_queue : engine_opts.max_num_seqs;
  opts.http_threads = args.get_int("http-threads", engine_opts.max_num_seqs + queued + 8);

  const std::string model_dir = model_dir_arg(args);
  auto engine = Engine::load(model_dir, engine_opts);
  server::HttpServer http(engine, opts);
  const int port = http.bind();
  signals.watch([&http] { http.shutdown(); });
  // Scripts (and the tests) read the bound port from this line, which matters with --port 0.
  std::cout << "onnxgen serve: " << engine->info().name << " on http://" << opts.host << ":" << port << std::endl;
  http.run();
  signals.stop();
  std::cerr << "onnxgen serve: stopped\n";
  return 0;
}

}  // namespace onnxgen::cli
