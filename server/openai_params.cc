#include "server/openai_params.h"

#include <limits>

#include "runtime/core/error.h"
#include "server/api_error.h"
#include "server/request_fields.h"

namespace onnxgen::server {
namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();

std::vector<std::string> stop_strings(const nlohmann::json& body) {
  if (!has_field(body, "stop")) return {};
  const auto& stop = body["stop"];
  if (stop.is_string()) return {stop.get<std::string>()};
  if (!stop.is_array()) throw ApiError(400, "'stop' must be a string or a list of strings", "stop");
  std::vector<std::string> out;
  for (const auto& s : stop) {
    if (!s.is_string()) throw ApiError(400, "'stop' must be a string or a list of strings", "stop");
    // An empty stop string would match before every token and end generation at once.
    if (!s.get<std::string>().empty()) out.push_back(s.get<std::string>());
  }
  return out;
}

std::map<int32_t, float> logit_bias(const nlohmann::json& body) {
  if (!has_field(body, "logit_bias")) return {};
  const auto& bias = body["logit_bias"];
  if (!bias.is_object()) throw ApiError(400, "'logit_bias' must map token ids to numbers", "logit_bias");
  std::map<int32_t, float> out;
  for (const auto& [key, value] : bias.items()) {
    size_t used = 0;
    long long id = -1;
    try {
      id = std::stoll(key, &used);
    } catch (const std::exception&) {
    }
    if (used != key.size() || id < 0 || id > kMaxInt)
      throw ApiError(400, str_cat("'logit_bias' key '", key, "' is not a token id"), "logit_bias");
    if (!value.is_number() || value.get<double>() < -100 || value.get<double>() > 100)
      throw ApiError(400, str_cat("'logit_bias' of token ", key, " must be a number between -100 and 100"),
                     "logit_bias");
    out[static_cast<int32_t>(id)] = value.get<float>();
  }
  return out;
}

std::vector<int32_t> token_ids(const nlohmann::json& body, const char* name) {
  if (!has_field(body, name)) return {};
  const auto& ids = body[name];
  if (!ids.is_array()) throw ApiError(400, str_cat("'", name, "' must be a list of token ids"), name);
  std::vector<int32_t> out;
  for (const auto& id : ids) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > kMaxInt)
      throw ApiError(400, str_cat("'", name, "' must be a list of token ids"), name);
    out.push_back(id.get<int32_t>());
  }
  return out;
}

void read_logprobs(const nlohmann::json& body, Endpoint endpoint, GenerationParams& p) {
  if (endpoint == Endpoint::kCompletions) {
    // The legacy API: logprobs is the number of alternatives (0-5) and implies per-token logprobs.
    if (auto n = int_field(body, "logprobs", 0, 20)) {
      p.logprobs = true;
      p.top_logprobs = static_cast<int>(*n);
    }
    return;
  }
  p.logprobs = bool_field(body, "logprobs").value_or(false);
  if (auto n = int_field(body, "top_logprobs", 0, 20)) {
    if (!p.logprobs && *n > 0) throw ApiError(400, "'top_logprobs' needs 'logprobs': true", "top_logprobs");
    p.top_logprobs = static_cast<int>(*n);
  }
}

}  // namespace

GenerationParams generation_params(const nlohmann::json& body, Endpoint endpoint) {
  GenerationParams p;

  std::optional<int64_t> max_tokens = int_field(body, "max_tokens", 1, kMaxInt);
  if (endpoint == Endpoint::kChatCompletions) {
    if (auto m = int_field(body, "max_completion_tokens", 1, kMaxInt)) max_tokens = m;
  } else if (!max_tokens) {
    max_tokens = 16;  // the completions API's documented default
  }
  p.max_new_tokens = max_tokens;
  p.min_new_tokens = int_field(body, "min_tokens", 0, kMaxInt).value_or(0);

  if (auto t = number_field(body, "temperature", 0, 2)) {
    p.temperature = static_cast<float>(*t);
    p.do_sample = *t > 0;
  }
  if (auto v = number_field(body, "top_p", 0, 1)) {
    if (*v == 0) throw ApiError(400, "'top_p' must be greater than 0", "top_p");
    p.top_p = static_cast<float>(*v);
  }
  // -1 (vLLM) and 0 both mean "no top-k".
  if (auto v = int_field(body, "top_k", -1, kMaxInt)) p.top_k = *v <= 0 ? 0 : static_cast<int>(*v);
  if (auto v = number_field(body, "min_p", 0, 1)) p.min_p = static_cast<float>(*v);
  if (auto v = number_field(body, "repetition_penalty", 0, 100)) {
    if (*v == 0) throw ApiError(400, "'repetition_penalty' must be greater than 0", "repetition_penalty");
    p.repetition_penalty = static_cast<float>(*v);
  }
  p.presence_penalty = static_cast<float>(number_field(body, "presence_penalty", -2, 2).value_or(0));
  p.frequency_penalty = static_cast<float>(number_field(body, "frequency_penalty", -2, 2).value_or(0));
  p.logit_bias = logit_bias(body);
  if (auto s = int_field(body, "seed", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()))
    p.seed = static_cast<uint64_t>(*s);
  p.n = static_cast<int>(int_field(body, "n", 1, 128).value_or(1));

  p.stop = stop_strings(body);
  p.stop_token_ids = token_ids(body, "stop_token_ids");
  p.ignore_eos = bool_field(body, "ignore_eos").value_or(false);
  p.skip_special_tokens = bool_field(body, "skip_special_tokens").value_or(true);
  read_logprobs(body, endpoint, p);
  return p;
}

}  // namespace onnxgen::server
