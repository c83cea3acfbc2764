#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace onnxgen::tokenizer {

// A tokenizer.json "decoder": rewrites the list of token strings; the result is their
// concatenation (the tokenizers crate's decode_chain).
class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual void decode_chain(std::vector<std::string>& tokens) const = 0;
};

std::unique_ptr<Decoder> make_decoder(const nlohmann::json& j, const std::string& where);

}  // namespace onnxgen::tokenizer
