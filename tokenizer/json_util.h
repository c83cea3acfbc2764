#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace onnxgen::tokenizer::json_util {

// `where` names the JSON location (e.g. "pre_tokenizer.pretokenizers[1]") so that load errors
// point at the exact object at fault.
const nlohmann::json& require(const nlohmann::json& j, std::string_view key, std::string_view where);
std::string require_string(const nlohmann::json& j, std::string_view key, std::string_view where);
std::string type_of(const nlohmann::json& j, std::string_view where);

std::string string_or(const nlohmann::json& j, std::string_view key, std::string_view fallback);
bool bool_or(const nlohmann::json& j, std::string_view key, bool fallback);

[[noreturn]] void fail(std::string_view where, std::string_view what);
[[noreturn]] void unknown_type(std::string_view where, std::string_view type);

}  // namespace onnxgen::tokenizer::json_util
