#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace onnxgen::tokenizer {

// A tokenizer.json "normalizer": rewrites text before pre-tokenization. Offsets are not tracked
// because onnxgen only needs ids.
class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual std::string normalize(std::string_view text) const = 0;
};

// Returns nullptr for a JSON null; throws Error naming `where` for anything it cannot build.
std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& j, const std::string& where);

}  // namespace onnxgen::tokenizer
