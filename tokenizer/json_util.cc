#include "json_util.h"

#include "error.h"

namespace onnxgen::tokenizer::json_util {

void fail(std::string_view where, std::string_view what) {
  throw Error(std::string(where) + ": " + std::string(what));
}

void unknown_type(std::string_view where, std::string_view type) {
  fail(where, "unknown type '" + std::string(type) + "'");
}

const nlohmann::json& require(const nlohmann::json& j, std::string_view key, std::string_view where) {
  if (!j.is_object()) fail(where, "expected an object");
  const auto it = j.find(key);
  if (it == j.end()) fail(where, "missing field '" + std::string(key) + "'");
  return *it;
}

std::string require_string(const nlohmann::json& j, std::string_view key, std::string_view where) {
  const auto& v = require(j, key, where);
  if (!v.is_string()) fail(where, "field '" + std::string(key) + "' must be a string");
  return v.get<std::string>();
}

std::string type_of(const nlohmann::json& j, std::string_view where) { return require_string(j, "type", where); }

std::string string_or(const nlohmann::json& j, std::string_view key, std::string_view fallback) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string(fallback);
}

bool bool_or(const nlohmann::json& j, std::string_view key, bool fallback) {
  const auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

}  // namespace onnxgen::tokenizer::json_util
