#include "server/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <set>
#include <thread>

#include "runtime/core/error.h"
#include "server/api_error.h"
#include "server/chat_page.h"
#include "server/endpoints.h"
#include "server/server_context.h"

namespace onnxgen::server {
namespace {

using Clock = std::chrono::steady_clock;

// Paths behind --api-key: the API itself; the page, health and metrics stay open as in vLLM.
bool needs_key(const std::string& path) {
  return path.rfind("/v1/", 0) == 0 || path == "/tokenize" || path == "/detokenize";
}

// Compares without an early exit, so response timing does not reveal a key's prefix.
bool same_key(const std::string& given, const std::string& expected) {
  unsigned char diff = given.size() != expected.size();
  for (size_t i = 0; i < given.size(); ++i) diff |= given[i] ^ expected[i % std::max<size_t>(1, expected.size())];
  return diff == 0;
}

void send_error(httplib::Response& res, const ApiError& e) {
  res.status = e.status();
  if (e.retry_after_s > 0) res.set_header("Retry-After", std::to_string(e.retry_after_s));
  res.set_content(e.body().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

// Wraps a handler so an ApiError becomes its OpenAI-shaped response.
httplib::Server::Handler api(ServerContext& ctx,
                             void (*handler)(ServerContext&, const httplib::Request&, httplib::Response&)) {
  return [&ctx, handler](const httplib::Request& req, httplib::Response& res) {
    try {
      handler(ctx, req, res);
    } catch (const ApiError& e) {
      send_error(res, e);
    }
  };
}

}  // namespace

HttpServer::HttpServer(std::shared_ptr<Engine> engine, ServerOptions options)
    : ctx_(std::make_unique<ServerContext>()), http_(std::make_unique<httplib::Server>()) {
  ctx_->engine = std::move(engine);
  ctx_->options = std::move(options);
  ctx_->model_name = ctx_->options.served_model_name.empty() ? ctx_->engine->info().name
                                                              : ctx_->options.served_model_name;
  install_routes();
}

HttpServer::~HttpServer() = default;

void HttpServer::install_routes() {
  ServerContext& ctx = *ctx_;
  httplib::Server& http = *http_;
  const int threads = ctx.options.http_threads;
  ONNXGEN_CHECK(threads > 0, "the server needs at least one HTTP thread, got ", threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_payload_max_length(ctx.options.max_body_bytes);

  http.set_pre_routing_handler([&ctx](const httplib::Request& req, httplib::Response& res) {
    if (ctx.options.api_key.empty() || !needs_key(req.path)) return httplib::Server::HandlerResponse::Unhandled;
    const std::string given = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (given.rfind(prefix, 0) == 0 && same_key(given.substr(prefix.size()), ctx.options.api_key))
      return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, ApiError(401, "missing or incorrect API key: send 'Authorization: Bearer <key>'", "", "invalid_api_key"));
    return httplib::Server::HandlerResponse::Handled;
  });

  http.Post("/v1/chat/completions", api(ctx, handle_chat_completions));
  http.Post("/v1/completions", api(ctx, handle_completions));
  http.Get("/v1/models", api(ctx, handle_models));
  http.Post("/tokenize", api(ctx, handle_tokenize));
  http.Post("/detokenize", api(ctx, handle_detokenize));

  http.Get("/health", [&ctx](const httplib::Request&, httplib::Response& res) {
    res.status = ctx.draining ? 503 : 200;
    res.set_content(ctx.draining ? R"({"status":"shutting down"})" : R"({"status":"ok"})", "application/json");
  });
  http.Get("/metrics", [&ctx](const httplib::Request&, httplib::Response& res) {
    res.set_content(ctx.metrics.render(ctx.engine->stats()), "text/plain; version=0.0.4");
  });
  http.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(kChatPage), "text/html; charset=utf-8");
  });

  // Statuses httplib sets itself (404, 413 past the body limit, 400 for a malformed request line)
  // get the same JSON body as the API's own errors.
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message = res.status == 404   ? "no route for " + req.method + " " + req.path
                          : res.status == 413 ? std::string("the request body exceeds the server's limit")
                                              : "HTTP " + std::to_string(res.status);
    send_error(res, ApiError(res.status, message));
  });
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string message = "internal error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      message = str_cat("internal error: ", e.what());
    } catch (...) {
    }
    send_error(res, ApiError(500, message));
  });

  static const std::set<std::string> kEndpoints = {"/v1/chat/completions", "/v1/completions", "/v1/models", "/tokenize",
                                                   "/detokenize", "/health", "/metrics", "/"};
  http.set_logger([&ctx](const httplib::Request& req, const httplib::Response& res) {
    ctx.metrics.count_request(kEndpoints.count(req.path) ? req.path : "other", res.status);
  });
}

int HttpServer::bind() {
  const auto& o = ctx_->options;
  int port = o.port;
  if (port == 0) {
    port = http_->bind_to_any_port(o.host);
    ONNXGEN_CHECK(port > 0, "cannot bind a port on ", o.host);
  } else {
    ONNXGEN_CHECK(http_->bind_to_port(o.host, port), "cannot bind ", o.host, ":", port,
                  " (in use, or not an address of this machine)");
  }
  return port;
}

void HttpServer::run() { http_->listen_after_bind(); }

void HttpServer::shutdown() {
  ServerContext& ctx = *ctx_;
  ctx.draining = true;
  auto wait_idle = [&ctx](double seconds) {
    const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    while (ctx.in_flight > 0 && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  };
  wait_idle(ctx.options.shutdown_grace_s);
  // Whatever is still running is cancelled; its handlers then answer within a poll interval.
  ctx.engine->shutdown();
  wait_idle(5);
  http_->stop();
}

}  // namespace onnxgen::server
