// GET /v1/models: the one model this server serves.
#include <ctime>
#include <nlohmann/json.hpp>

#include "server/endpoints.h"

namespace onnxgen::server {

void handle_models(ServerContext& ctx, const httplib::Request&, httplib::Response& res) {
  static const int64_t started = static_cast<int64_t>(std::time(nullptr));
  const auto& info = ctx.engine->info();
  nlohmann::json model = {{"id", ctx.model_name},
                          {"object", "model"},
                          {"created", started},
                          {"owned_by", "onnxgen"},
                          {"root", info.dir},
                          {"max_model_len", info.context_length}};
  res.set_content(nlohmann::json({{"object", "list"}, {"data", {model}}}).dump(), "application/json");
}

}  // namespace onnxgen::server
