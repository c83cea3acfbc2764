#include "server/generation_response.h"

#include <chrono>
#include <optional>

#include "runtime/core/error.h"
#include "server/api_error.h"
#include "server/client_connection.h"
#include "server/request_fields.h"

namespace onnxgen::server {
namespace {

using Clock = std::chrono::steady_clock;
// How long a waiting handler sleeps before it looks at its client and deadline again.
constexpr std::chrono::milliseconds kPoll{50};

// The failure of a finished generation, if any: the engine's message for the request or a
// sequence. One the shutdown caused is the server's unavailability, not an internal error.
std::optional<ApiError> generation_error(const ServerContext& ctx, const std::vector<GenerationResult>& results) {
  std::string message;
  for (const auto& r : results) {
    if (!r.error.empty()) message = r.error;
    for (const auto& s : r.sequences)
      if (message.empty() && s.finish == FinishReason::kError) message = "generation failed";
  }
  if (message.empty()) return std::nullopt;
  if (ctx.draining) return ApiError(503, "the server shut down before the request finished (" + message + ")", "", "shutdown");
  return ApiError(500, message);
}

ApiError timeout_error(const ServerContext& ctx) {
  return ApiError(504, str_cat("the request did not finish within the server's timeout of ", ctx.options.request_timeout_s,
                               " s and was cancelled"),
                  "", "timeout");
}

// The state a streamed response keeps between httplib's calls of its content provider.
struct EventStream {
  EventStream(ServerContext& c, std::unique_ptr<GenerationStream> g, ResponseFormat f, ResponseMode m)
      : ctx(c), in_flight(c), generation(std::move(g)), format(std::move(f)), mode(m), deadline(c.deadline_from_now()) {}

  ServerContext& ctx;
  InFlight in_flight;
  std::unique_ptr<GenerationStream> generation;
  ResponseFormat format;
  ResponseMode mode;
  Clock::time_point deadline;

  // Writes one SSE event; false when the client is gone.
  static bool send(httplib::DataSink& sink, const std::string& payload) {
    std::string event = "data: " + payload + "\n\n";
    return sink.write(event.data(), event.size());
  }

  void close(httplib::DataSink& sink, const nlohmann::json& error) {
    generation->cancel();
    if (!error.is_null()) send(sink, error.dump());
    send(sink, "[DONE]");
    sink.done();
  }

  // One call of the content provider: forwards at most one event. False drops the connection.
  bool pump(httplib::DataSink& sink) {
    if (!sink.is_writable()) {
      generation->cancel();
      return false;
    }
    if (Clock::now() > deadline) {
      close(sink, timeout_error(ctx).body());
      return true;
    }
    if (auto event = generation->next(kPoll)) {
      auto chunk = format.chunk(*event);
      if (!event->event.error.empty()) {
        close(sink, ApiError(500, event->event.error).body());
        return true;
      }
      if (!chunk.is_null()) {
        if (mode.include_usage) chunk["usage"] = nullptr;
        if (!send(sink, chunk.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))) {
          generation->cancel();
          return false;
        }
      }
      return true;
    }
    if (!generation->finished()) return true;
    auto results = generation->results();
    for (const auto& r : results) ctx.metrics.observe(r);
    if (auto error = generation_error(ctx, results)) {
      close(sink, error->body());
      return true;
    }
    if (mode.include_usage) send(sink, format.usage_chunk(results).dump());
    close(sink, nullptr);
    return true;
  }
};

}  // namespace

ResponseMode response_mode(const nlohmann::json& body) {
  ResponseMode mode;
  mode.stream = bool_field(body, "stream").value_or(false);
  if (has_field(body, "stream_options")) {
    const auto& options = body["stream_options"];
    if (!options.is_object()) throw ApiError(400, "'stream_options' must be an object", "stream_options");
    mode.include_usage = bool_field(options, "include_usage").value_or(false);
  }
  return mode;
}

void send_generation(ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                     std::unique_ptr<GenerationStream> generation, ResponseFormat format, ResponseMode mode) {
  if (mode.stream) {
    auto stream = std::make_shared<EventStream>(ctx, std::move(generation), std::move(format), mode);
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider("text/event-stream",
                                     [stream](size_t, httplib::DataSink& sink) { return stream->pump(sink); });
    return;
  }
  InFlight in_flight(ctx);
  const auto deadline = ctx.deadline_from_now();
  const ClientConnection client(req);
  // Leaving early destroys the generation, which cancels it.
  while (!generation->finished()) {
    if (Clock::now() > deadline) throw timeout_error(ctx);
    if (client.hung_up()) {
      res.status = 499;  // nginx's "client closed request", for the logs and metrics
      return;
    }
    generation->next(kPoll);
  }
  auto results = generation->results();
  for (const auto& r : results) ctx.metrics.observe(r);
  if (auto error = generation_error(ctx, results)) throw *error;
  res.set_content(format.response(results).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

}  // namespace onnxgen::server
