#include "models/model_config.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "runtime/core/error.h"
#include "tests/support/temp_dir.h"

namespace onnxgen::models {
namespace {

namespace fs = std::filesystem;

class ModelDir : public ::testing::Test {
 protected:
  void write(const std::string& name, const std::string& text) { onnxgen::testing::write_file(dir_.file(name), text); }
  std::string error_of_load() {
    try {
      ModelConfig::load(dir_.path().string());
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  onnxgen::testing::TempDir dir_;
};

TEST_F(ModelDir, ReadsOptimumLayoutWithGenerationConfig) {
  write("config.json", R"({"model_type": "llama", "vocab_size": 512, "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256,
    "eos_token_id": 2, "bos_token_id": 1, "rope_theta": 500000.0, "sliding_window": null})");
  write("generation_config.json", R"({"eos_token_id": [2, 7], "do_sample": true, "temperature": 0.6, "top_p": 0.9})");
  write("model.onnx", "");
  ModelConfig c = ModelConfig::load(dir_.path().string());
  EXPECT_EQ(c.layout, ModelLayout::kOptimum);
  EXPECT_EQ(c.family, "llama");
  EXPECT_EQ(c.head_size, 16);
  EXPECT_EQ(c.num_kv_heads, 2);
  EXPECT_EQ(c.eos_token_ids, (std::vector<int32_t>{2, 7}));
  EXPECT_EQ(c.bos_token_id, 1);
  EXPECT_FALSE(c.sliding_window.has_value());
  EXPECT_DOUBLE_EQ(c.rope_theta, 500000.0);
  EXPECT_TRUE(c.generation.do_sample);
  EXPECT_FLOAT_EQ(c.generation.top_p, 0.9f);
  EXPECT_EQ(c.generation.max_length, 256);
  EXPECT_EQ(fs::path(c.decoder_path).filename(), "model.onnx");
  EXPECT_EQ(layer_name(c.io.past_key, 1), "past_key_values.1.key");
}

TEST_F(ModelDir, PrefersTheMergedDecoder) {
  write("config.json", R"({"model_type": "gpt2", "vocab_size": 100, "n_embd": 32, "n_layer": 2, "n_head": 2,
    "n_positions": 64, "eos_token_id": 0})");
  write("model.onnx", "");
  write("decoder_model_merged.onnx", "");
  ModelConfig c = ModelConfig::load(dir_.path().string());
  EXPECT_EQ(fs::path(c.decoder_path).filename(), "decoder_model_merged.onnx");
  EXPECT_EQ(c.num_heads, 2);
  EXPECT_EQ(c.context_length, 64);
}

TEST_F(ModelDir, ReadsGenaiLayout) {
  write("genai_config.json", R"({"model": {"type": "mistral", "eos_token_id": [2], "bos_token_id": 1,
    "pad_token_id": 0, "vocab_size": 1000, "context_length": 128,
    "decoder": {"filename": "decoder.onnx", "num_attention_heads": 4, "num_key_value_heads": 2, "head_size": 16,
      "hidden_size": 64, "num_hidden_layers": 2, "sliding_window": {"window_size": 32},
      "inputs": {"past_key_names": "past_key_values.%d.key"}, "outputs": {"present_key_names": "present.%d.key"}}},
    "search": {"max_length": 64, "num_beams": 3}})");
  write("decoder.onnx", "");
  ModelConfig c = ModelConfig::load(dir_.path().string());
  EXPECT_EQ(c.layout, ModelLayout::kGenai);
  EXPECT_EQ(c.sliding_window, 32);
  EXPECT_EQ(c.pad_token_id, 0);
  EXPECT_EQ(c.generation.max_length, 64);
  EXPECT_EQ(c.generation.num_beams, 3);
}

TEST_F(ModelDir, BadDirectoriesAreNamed) {
  EXPECT_NE(error_of_load().find("neither genai_config.json"), std::string::npos);
  write("config.json", "{not json");
  EXPECT_NE(error_of_load().find("is not valid JSON"), std::string::npos);
  write("config.json", R"({"model_type": "llama", "vocab_size": 10})");
  EXPECT_NE(error_of_load().find("missing 'num_hidden_layers'"), std::string::npos) << error_of_load();
  write("config.json", R"({"model_type": "llama", "vocab_size": "ten", "hidden_size": 8, "num_hidden_layers": 1,
    "num_attention_heads": 2, "max_position_embeddings": 8})");
  EXPECT_NE(error_of_load().find("'vocab_size' has the wrong type"), std::string::npos) << error_of_load();
  write("config.json", R"({"model_type": "llama", "vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1,
    "num_attention_heads": 2, "max_position_embeddings": 8})");
  EXPECT_NE(error_of_load().find("no decoder_model_merged.onnx"), std::string::npos) << error_of_load();
}

TEST(SharedModels, ReadsTheOnnxruntimeGenaiTestModels) {
  fs::path shared = ONNXGEN_SHARED_DIR;
  if (!fs::exists(shared / "models")) GTEST_SKIP() << "../shared/models not present";
  ModelConfig gpt2 = ModelConfig::load((shared / "models" / "gpt2-tiny-random").string());
  EXPECT_EQ(gpt2.family, "gpt2");
  EXPECT_EQ(gpt2.pad_token_id, 98);
  EXPECT_EQ(gpt2.io.past_combined, "past_%d");
  EXPECT_EQ(gpt2.num_layers, 5);
  ModelConfig qwen = ModelConfig::load((shared / "models" / "qwen3.5-tiny-gqa").string());
  EXPECT_EQ(qwen.num_kv_heads, 2);
  EXPECT_EQ(qwen.io.present_value, "present.%d.value");
}

}  // namespace
}  // namespace onnxgen::models
