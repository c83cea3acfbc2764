#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace onnxgen::tokenizer {

// What onnxgen uses from tokenizer_config.json (and the chat_template.jinja / generation_config.json
// files that newer exports put beside it).
struct TokenizerConfig {
  std::optional<std::string> bos_token;
  std::optional<std::string> eos_token;
  std::optional<std::string> pad_token;
  std::optional<std::string> unk_token;
  std::optional<bool> add_bos_token;
  std::optional<bool> add_eos_token;
  // Template sources by name; a plain string template is named "default".
  std::map<std::string, std::string> chat_templates;
  // eos_token_id from generation_config.json; chat models often stop on several ids.
  std::vector<int32_t> generation_eos_ids;
  nlohmann::json raw = nlohmann::json::object();

  // Reads whichever of those files exist in `dir`; throws Error naming the file at fault.
  static TokenizerConfig load_directory(const std::filesystem::path& dir);
  static TokenizerConfig parse(const nlohmann::json& j, const std::string& file);

  // The named template, else "default"; nullopt when the model has none.
  std::optional<std::string> chat_template(const std::string& name = "default") const;
};

// Parses a JSON file, turning syntax errors into Error messages that name the file.
nlohmann::json read_json_file(const std::filesystem::path& file);

}  // namespace onnxgen::tokenizer
