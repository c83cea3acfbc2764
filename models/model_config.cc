#include "models/model_config.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "runtime/core/error.h"

namespace onnxgen::models {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) fail("cannot open '", path.string(), "'");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    fail("'", path.string(), "' is not valid JSON: ", e.what());
  }
}

// Typed reads that name the file and key when a value is missing or of the wrong type.
class JsonReader {
 public:
  JsonReader(const json& j, std::string where) : j_(j), where_(std::move(where)) {}

  bool has(const std::string& key) const { return j_.is_object() && j_.contains(key) && !j_[key].is_null(); }
  JsonReader child(const std::string& key) const {
    static const json empty = json::object();
    return JsonReader(has(key) ? j_[key] : empty, where_ + "." + key);
  }
  template <class T>
  T get(const std::string& key) const {
    if (!has(key)) fail(where_, ": missing '", key, "'");
    return as<T>(key);
  }
  template <class T>
  T get(const std::string& key, T fallback) const {
    return has(key) ? as<T>(key) : fallback;
  }
  template <class T>
  std::optional<T> find(const std::string& key) const {
    return has(key) ? std::optional<T>(as<T>(key)) : std::nullopt;
  }
  // An id that configs give as a number or a list of numbers.
  std::vector<int32_t> ids(const std::string& key) const {
    if (!has(key)) return {};
    const json& v = j_[key];
    try {
      if (v.is_array()) return v.get<std::vector<int32_t>>();
      return {v.get<int32_t>()};
    } catch (const json::exception&) {
      fail(where_, ": '", key, "' must be a token id or a list of token ids");
    }
  }

 private:
  template <class T>
  T as(const std::string& key) const {
    try {
      return j_[key].get<T>();
    } catch (const json::exception&) {
      fail(where_, ": '", key, "' has the wrong type (", j_[key].type_name(), ")");
    }
  }
  const json& j_;
  std::string where_;
};

void apply_search(const JsonReader& s, GenerationDefaults& g) {
  g.max_length = s.get<int64_t>("max_length", g.max_length);
  g.do_sample = s.get<bool>("do_sample", g.do_sample);
  g.temperature = s.get<float>("temperature", g.temperature);
  g.top_k = s.get<int>("top_k", g.top_k);
  g.top_p = s.get<float>("top_p", g.top_p);
  g.repetition_penalty = s.get<float>("repetition_penalty", g.repetition_penalty);
  g.num_beams = s.get<int>("num_beams", g.num_beams);
  g.length_penalty = s.get<float>("length_penalty", g.length_penalty);
  g.early_stopping = s.get<bool>("early_stopping", g.early_stopping);
}

void set_if(std::string& field, const JsonReader& r, const std::string& key) {
  if (r.has(key)) field = r.get<std::string>(key);
}

ModelConfig load_genai(const fs::path& dir) {
  fs::path file = dir / "genai_config.json";
  json root = read_json(file);
  JsonReader top(root, file.string());
  JsonReader model = top.child("model");
  JsonReader decoder = model.child("decoder");
  ModelConfig c;
  c.layout = ModelLayout::kGenai;
  c.family = model.get<std::string>("type");
  c.vocab_size = model.get<int64_t>("vocab_size");
  c.context_length = model.get<int64_t>("context_length");
  c.eos_token_ids = model.ids("eos_token_id");
  if (auto bos = model.ids("bos_token_id"); !bos.empty()) c.bos_token_id = bos[0];
  if (auto pad = model.ids("pad_token_id"); !pad.empty()) c.pad_token_id = pad[0];
  c.decoder_path = (dir / decoder.get<std::string>("filename")).string();
  c.num_layers = decoder.get<int64_t>("num_hidden_layers");
  c.num_kv_heads = decoder.get<int64_t>("num_key_value_heads");
  c.num_heads = decoder.get<int64_t>("num_attention_heads", c.num_kv_heads);
  c.head_size = decoder.get<int64_t>("head_size");
  c.hidden_size = decoder.get<int64_t>("hidden_size", c.num_heads * c.head_size);
  if (decoder.has("sliding_window")) c.sliding_window = decoder.child("sliding_window").get<int64_t>("window_size");

  JsonReader in = decoder.child("inputs"), out = decoder.child("outputs");
  set_if(c.io.input_ids, in, "input_ids");
  set_if(c.io.attention_mask, in, "attention_mask");
  set_if(c.io.position_ids, in, "position_ids");
  set_if(c.io.past_key, in, "past_key_names");
  set_if(c.io.past_value, in, "past_value_names");
  set_if(c.io.past_combined, in, "past_names");
  set_if(c.io.logits, out, "logits");
  set_if(c.io.present_key, out, "present_key_names");
  set_if(c.io.present_value, out, "present_value_names");
  set_if(c.io.present_combined, out, "present_names");
  apply_search(top.child("search"), c.generation);
  return c;
}

ModelConfig load_optimum(const fs::path& dir) {
  fs::path file = dir / "config.json";
  json root = read_json(file);
  JsonReader cfg(root, file.string());
  ModelConfig c;
  c.layout = ModelLayout::kOptimum;
  c.family = cfg.get<std::string>("model_type");
  c.vocab_size = cfg.get<int64_t>("vocab_size");
  // GPT-2 style configs use n_* names.
  bool gpt = !cfg.has("num_hidden_layers") && cfg.has("n_layer");
  c.num_layers = cfg.get<int64_t>(gpt ? "n_layer" : "num_hidden_layers");
  c.num_heads = cfg.get<int64_t>(gpt ? "n_head" : "num_attention_heads");
  c.hidden_size = cfg.get<int64_t>(gpt ? "n_embd" : "hidden_size");
  c.context_length = cfg.get<int64_t>(gpt ? "n_positions" : "max_position_embeddings");
  c.num_kv_heads = cfg.get<int64_t>("num_key_value_heads", c.num_heads);
  ONNXGEN_CHECK(c.num_heads > 0 && c.num_kv_heads > 0 && c.num_heads % c.num_kv_heads == 0, file.string(),
                ": num_attention_heads (", c.num_heads, ") must be a positive multiple of num_key_value_heads (",
                c.num_kv_heads, ")");
  c.head_size = cfg.get<int64_t>("head_dim", c.hidden_size / c.num_heads);
  c.sliding_window = cfg.find<int64_t>("sliding_window");
  c.rope_theta = cfg.get<double>("rope_theta", c.rope_theta);
  c.eos_token_ids = cfg.ids("eos_token_id");
  if (auto bos = cfg.ids("bos_token_id"); !bos.empty()) c.bos_token_id = bos[0];
  if (auto pad = cfg.ids("pad_token_id"); !pad.empty()) c.pad_token_id = pad[0];

  fs::path gen_file = dir / "generation_config.json";
  if (fs::exists(gen_file)) {
    json gen_root = read_json(gen_file);
    JsonReader gen(gen_root, gen_file.string());
    if (auto eos = gen.ids("eos_token_id"); !eos.empty()) c.eos_token_ids = eos;
    if (auto bos = gen.ids("bos_token_id"); !bos.empty()) c.bos_token_id = bos[0];
    if (auto pad = gen.ids("pad_token_id"); !pad.empty()) c.pad_token_id = pad[0];
    apply_search(gen, c.generation);
  }
  for (const char* name : {"decoder_model_merged.onnx", "model.onnx", "decoder_with_past_model.onnx"})
    if (fs::exists(dir / name)) {
      c.decoder_path = (dir / name).string();
      break;
    }
  if (c.decoder_path.empty())
    fail(dir.string(), ": no decoder_model_merged.onnx, model.onnx or decoder_with_past_model.onnx next to config.json");
  return c;
}

}  // namespace

std::string layer_name(const std::string& pattern, int64_t layer) {
  auto at = pattern.find("%d");
  if (at == std::string::npos) return pattern;
  return pattern.substr(0, at) + std::to_string(layer) + pattern.substr(at + 2);
}

ModelConfig ModelConfig::load(const std::string& dir) {
  fs::path d(dir);
  if (!fs::is_directory(d)) fail("model directory '", dir, "' does not exist");
  ModelConfig c;
  if (fs::exists(d / "genai_config.json")) c = load_genai(d);
  else if (fs::exists(d / "config.json")) c = load_optimum(d);
  else fail("'", dir, "' has neither genai_config.json (onnxruntime-genai) nor config.json (Hugging Face Optimum)");
  c.dir = dir;
  if (!fs::exists(c.decoder_path)) fail(dir, ": the decoder model '", c.decoder_path, "' does not exist");
  ONNXGEN_CHECK(c.num_layers > 0 && c.head_size > 0 && c.vocab_size > 0, dir,
                ": layers, head size and vocabulary size must be positive");
  if (c.generation.max_length == 0) c.generation.max_length = c.context_length;
  return c;
}

}  // namespace onnxgen::models
