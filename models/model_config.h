#pragma once
// What onnxgen needs to know about a model directory, read from either layout:
//   onnxruntime-genai: genai_config.json (+ the .onnx it names, tokenizer files)
//   Hugging Face Optimum: config.json, generation_config.json, model.onnx or
//   decoder_model_merged.onnx (+ external data), tokenizer files.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace onnxgen::models {

enum class ModelLayout { kGenai, kOptimum };

// Graph I/O names; "%d" stands for the layer index.
struct IoNames {
  std::string input_ids = "input_ids";
  std::string attention_mask = "attention_mask";
  std::string position_ids = "position_ids";
  std::string past_key = "past_key_values.%d.key";
  std::string past_value = "past_key_values.%d.value";
  std::string past_combined;  // GPT-2 style packed [2, batch, heads, seq, head] past, e.g. "past_%d"
  std::string logits = "logits";
  std::string present_key = "present.%d.key";
  std::string present_value = "present.%d.value";
  std::string present_combined;
};

// Defaults a request inherits unless it overrides them (generation_config.json / "search").
struct GenerationDefaults {
  int64_t max_length = 0;  // 0: the context length
  bool do_sample = false;
  float temperature = 1.0f;
  int top_k = 0;
  float top_p = 1.0f;
  float repetition_penalty = 1.0f;
  int num_beams = 1;
  float length_penalty = 1.0f;
  bool early_stopping = false;
};

struct ModelConfig {
  std::string dir;
  ModelLayout layout = ModelLayout::kOptimum;
  std::string family;  // "llama", "qwen2", "gpt2", ... (model_type / model.type)
  std::string decoder_path;
  int64_t vocab_size = 0;
  int64_t context_length = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;
  int64_t head_size = 0;
  int64_t hidden_size = 0;
  std::optional<int64_t> sliding_window;
  double rope_theta = 10000.0;
  std::vector<int32_t> eos_token_ids;
  std::optional<int32_t> bos_token_id;
  std::optional<int32_t> pad_token_id;
  IoNames io;
  GenerationDefaults generation;

  // Detects the layout and reads it; throws onnxgen::Error naming the file and field at fault.
  static ModelConfig load(const std::string& dir);
};

// "past_key_values.%d.key" with layer 3 → "past_key_values.3.key".
std::string layer_name(const std::string& pattern, int64_t layer);

}  // namespace onnxgen::models
