#pragma once
// Typed reads of a request body's fields: a missing or null field is "unset"; a field of the
// wrong type or outside its range is the client's error (400 naming the field).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace onnxgen::server {

// Parses a request body; malformed JSON or anything but an object is a 400.
nlohmann::json parse_body(const std::string& body);

bool has_field(const nlohmann::json& body, const char* name);
std::optional<double> number_field(const nlohmann::json& body, const char* name, double min, double max);
std::optional<int64_t> int_field(const nlohmann::json& body, const char* name, int64_t min, int64_t max);
std::optional<bool> bool_field(const nlohmann::json& body, const char* name);
std::optional<std::string> string_field(const nlohmann::json& body, const char* name);

}  // namespace onnxgen::server
