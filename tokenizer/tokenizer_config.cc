#include "tokenizer_config.h"

#include <fstream>
#include <sstream>

#include "error.h"

namespace onnxgen::tokenizer {

namespace {

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string() + ": cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Special tokens are saved either as plain strings or as serialized AddedToken objects.
std::optional<std::string> token_string(const nlohmann::json& j, const char* key, const std::string& file) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) {
    return (*it)["content"].get<std::string>();
  }
  throw Error(file + ": '" + key + "' must be a string or an object with 'content'");
}

std::optional<bool> optional_bool(const nlohmann::json& j, const char* key, const std::string& file) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) throw Error(file + ": '" + key + "' must be true or false");
  return it->get<bool>();
}

}  // namespace

nlohmann::json read_json_file(const std::filesystem::path& file) {
  const std::string text = read_file(file);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(file.string() + ": invalid JSON: " + e.what());
  }
}

TokenizerConfig TokenizerConfig::parse(const nlohmann::json& j, const std::string& file) {
  if (!j.is_object()) throw Error(file + ": expected a JSON object");
  TokenizerConfig c;
  c.raw = j;
  c.bos_token = token_string(j, "bos_token", file);
  c.eos_token = token_string(j, "eos_token", file);
  c.pad_token = token_string(j, "pad_token", file);
  c.unk_token = token_string(j, "unk_token", file);
  c.add_bos_token = optional_bool(j, "add_bos_token", file);
  c.add_eos_token = optional_bool(j, "add_eos_token", file);
  if (const auto it = j.find("chat_template"); it != j.end() && !it->is_null()) {
    if (it->is_string()) {
      c.chat_templates["default"] = it->get<std::string>();
    } else if (it->is_array()) {
      for (size_t i = 0; i < it->size(); ++i) {
        const auto& e = (*it)[i];
        if (!e.is_object() || !e.contains("name") || !e.contains("template") || !e["name"].is_string() ||
            !e["template"].is_string()) {
          throw Error(file + ": chat_template[" + std::to_string(i) + "] must be {\"name\": ..., \"template\": ...}");
        }
        c.chat_templates[e["name"].get<std::string>()] = e["template"].get<std::string>();
      }
    } else {
      throw Error(file + ": 'chat_template' must be a string or a list of named templates");
    }
  }
  return c;
}

TokenizerConfig TokenizerConfig::load_directory(const std::filesystem::path& dir) {
  TokenizerConfig c;
  if (const auto file = dir / "tokenizer_config.json"; std::filesystem::exists(file)) {
    c = parse(read_json_file(file), file.string());
  }
  if (const auto file = dir / "chat_template.jinja"; std::filesystem::exists(file)) {
    c.chat_templates["default"] = read_file(file);
  }
  if (const auto file = dir / "generation_config.json"; std::filesystem::exists(file)) {
    const auto g = read_json_file(file);
    const auto eos = g.is_object() ? g.value("eos_token_id", nlohmann::json()) : nlohmann::json();
    if (eos.is_number_integer()) {
      c.generation_eos_ids.push_back(eos.get<int32_t>());
    } else if (eos.is_array()) {
      for (const auto& id : eos) {
        if (!id.is_number_integer()) throw Error(file.string() + ": 'eos_token_id' must hold integers");
        c.generation_eos_ids.push_back(id.get<int32_t>());
      }
    } else if (!eos.is_null()) {
      throw Error(file.string() + ": 'eos_token_id' must be an integer or a list of integers");
    }
  }
  return c;
}

std::optional<std::string> TokenizerConfig::chat_template(const std::string& name) const {
  auto it = chat_templates.find(name);
  if (it == chat_templates.end()) it = chat_templates.find("default");
  if (it == chat_templates.end()) return std::nullopt;
  return it->second;
}

}  // namespace onnxgen::tokenizer
