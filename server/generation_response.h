#pragma once
// Answers a submitted generation: as server-sent events while it runs, or as one JSON object at
// the end. Both stop at the server's request timeout, and both cancel the generation as soon as
// their client has gone.
#include <httplib.h>

#include <memory>

#include "server/generation_stream.h"
#include "server/response_format.h"
#include "server/server_context.h"

namespace onnxgen::server {

struct ResponseMode {
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
};

// "stream" and "stream_options": {"include_usage"} of a request body.
ResponseMode response_mode(const nlohmann::json& body);

void send_generation(ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                     std::unique_ptr<GenerationStream> generation, ResponseFormat format, ResponseMode mode);

}  // namespace onnxgen::server
