#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace onnxgen::tokenizer::json_util {

// `where` names the JSON location (e.g. "pre_tokenizer.pretokenizers[1]") so that load errors
// point at the exact object at fault.
const nlohmann::json& require(const nlohmann::json& j, std::string_view key, std::string_view where);
std::string require_string(const nlohmann::json& j, std::string_view key, std::string_view where);
std::string type_of(const nlohmann::json& j, std::string_view where);

std::string string_or(const nlohmann::json& j, std::string_view key, std::string_view fallback);
bool bool_or(const nlohmann::json& j, std::string_view key, bool fallback);

[[noreturn]] void fail(std::string_view where, std::string_view what);

// Builds one component per element of the array j[key] (a "Sequence" of normalizers, decoders...),
// naming each element's location for errors and skipping nulls.
template <typename Component, typename Make>
std::vector<std::unique_ptr<Component>> make_each(const nlohmann::json& j, std::string_view key, const std::string& where,
                                                  Make make) {
  const auto& list = require(j, key, where);
  if (!list.is_array()) fail(where, "'" + std::string(key) + "' must be an array");
  std::vector<std::unique_ptr<Component>> parts;
  for (size_t i = 0; i < list.size(); ++i) {
    auto part = make(list[i], where + "." + std::string(key) + "[" + std::to_string(i) + "]");
    if (part) parts.push_back(std::move(part));
  }
  return parts;
}
[[noreturn]] void unknown_type(std::string_view where, std::string_view type);

}  // namespace onnxgen::tokenizer::json_util
