#pragma once
// What `onnxgen serve` configures about the HTTP side (the engine has its own EngineOptions).
#include <cstddef>
#include <string>

namespace onnxgen::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (the bound one is printed)
  std::string api_key;            // empty: no authentication
  std::string served_model_name;  // empty: the model directory's name
  size_t max_body_bytes = 8 << 20;
  double request_timeout_s = 600;  // from arrival to the last token, queueing included
  double shutdown_grace_s = 30;    // on SIGTERM, how long in-flight requests may finish before they are cancelled
  // Connections served at once: a streamed response holds its thread until it ends.
  int http_threads = 64;
};

}  // namespace onnxgen::server
