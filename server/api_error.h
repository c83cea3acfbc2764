#pragma once
// An HTTP error in the shape OpenAI's API returns, so clients raise their usual exception types.
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace onnxgen::server {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string message, std::string param = {}, std::string code = {});
  int status() const { return status_; }
  // {"error": {"message", "type", "param", "code"}}; param and code are null when unset.
  nlohmann::json body() const;
  // Seconds a client should wait before retrying (sent as Retry-After); 0: no header.
  int retry_after_s = 0;

 private:
  int status_;
  std::string param_;
  std::string code_;
};

// The OpenAI "type" for an HTTP status (invalid_request_error, authentication_error, ...).
const char* error_type(int status);

}  // namespace onnxgen::server
