#include "server/request_fields.h"

#include <cmath>

#include "runtime/core/error.h"
#include "server/api_error.h"

namespace onnxgen::server {
namespace {

const nlohmann::json* field(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

[[noreturn]] void bad_field(const char* name, const std::string& expectation) {
  throw ApiError(400, str_cat("'", name, "' must be ", expectation), name);
}

}  // namespace

nlohmann::json parse_body(const std::string& body) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    throw ApiError(400, str_cat("the request body is not valid JSON: ", e.what()));
  }
  if (!j.is_object()) throw ApiError(400, "the request body must be a JSON object");
  return j;
}

bool has_field(const nlohmann::json& body, const char* name) { return field(body, name) != nullptr; }

std::optional<double> number_field(const nlohmann::json& body, const char* name, double min, double max) {
  const auto* f = field(body, name);
  if (!f) return std::nullopt;
  if (!f->is_number()) bad_field(name, "a number");
  double v = f->get<double>();
  if (!std::isfinite(v) || v < min || v > max) bad_field(name, str_cat("between ", min, " and ", max, ", got ", v));
  return v;
}

std::optional<int64_t> int_field(const nlohmann::json& body, const char* name, int64_t min, int64_t max) {
  const auto* f = field(body, name);
  if (!f) return std::nullopt;
  if (!f->is_number_integer()) bad_field(name, "an integer");
  // Unsigned values past int64's range come back as uint64; compare them as such.
  if (f->is_number_unsigned() && f->get<uint64_t>() > static_cast<uint64_t>(max))
    bad_field(name, str_cat("at most ", max));
  int64_t v = f->get<int64_t>();
  if (v < min || v > max) bad_field(name, str_cat("between ", min, " and ", max, ", got ", v));
  return v;
}

std::optional<bool> bool_field(const nlohmann::json& body, const char* name) {
  const auto* f = field(body, name);
  if (!f) return std::nullopt;
  if (!f->is_boolean()) bad_field(name, "true or false");
  return f->get<bool>();
}

std::optional<std::string> string_field(const nlohmann::json& body, const char* name) {
  const auto* f = field(body, name);
  if (!f) return std::nullopt;
  if (!f->is_string()) bad_field(name, "a string");
  return f->get<std::string>();
}

}  // namespace onnxgen::server
