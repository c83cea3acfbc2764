#pragma once
// The OpenAI-compatible HTTP server over one engine: routes, authentication, error bodies,
// request accounting and graceful shutdown. Endpoint logic lives in the endpoint files.
#include <memory>

#include "onnxgen/engine.h"
#include "server/server_options.h"

namespace httplib {
class Server;
}

namespace onnxgen::server {

struct ServerContext;

class HttpServer {
 public:
  HttpServer(std::shared_ptr<Engine> engine, ServerOptions options);
  ~HttpServer();

  // Binds the listening socket (throws naming host and port when it cannot); returns the port.
  int bind();
  // Serves until shutdown() completes.
  void run();
  // Callable from any thread: new generations get 503, in-flight ones get the grace period to
  // finish, the rest are cancelled, then run() returns.
  void shutdown();

 private:
  void install_routes();

  std::unique_ptr<ServerContext> ctx_;
  std::unique_ptr<httplib::Server> http_;
};

}  // namespace onnxgen::server
