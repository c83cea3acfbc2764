// The embedded default model (models/default) through onnxgen's own tokenizer and runtime: its
// perplexity on the held-out part of tinyshakespeare matches what PyTorch computed when
// scripts/train_default_model.py exported it (models/default/eval.json), its chat template
// renders the scene transformers' apply_chat_template renders, and sampling with its search
// defaults (the README's first command) is reproducible by seed.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "models/model_config.h"
#include "onnxgen/onnxgen.h"
#include "runtime/core/error.h"
#include "runtime/exec/session.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace onnxgen {
namespace {

namespace fs = std::filesystem;

const fs::path kModelDir = ONNXGEN_DEFAULT_MODEL_DIR;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  ONNXGEN_CHECK(in.good(), "cannot open ", path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every input the exported graph declares, for one window read from position 0 with an empty
// cache: ids, a mask of ones, positions 0..n-1 and [1, kv_heads, 0, head_size] past tensors.
std::map<std::string, Tensor> window_feeds(const Session& session, const models::ModelConfig& config,
                                           const std::vector<int64_t>& ids) {
  const auto n = static_cast<int64_t>(ids.size());
  auto int64_row = [&](auto value_at) {
    Tensor t = Tensor::empty(DataType::kInt64, {1, n});
    for (int64_t i = 0; i < n; ++i) t.data<int64_t>()[i] = value_at(i);
    return t;
  };
  std::map<std::string, Tensor> feeds;
  for (const ValueInfo* input : session.inputs()) {
    const std::string& name = input->name;
    if (name == config.io.input_ids) {
      feeds[name] = int64_row([&](int64_t i) { return ids[i]; });
    } else if (name == config.io.attention_mask) {
      feeds[name] = int64_row([](int64_t) { return int64_t{1}; });
    } else if (name == config.io.position_ids) {
      feeds[name] = int64_row([](int64_t i) { return i; });
    } else if (name.starts_with("past_key_values.")) {
      feeds[name] = Tensor::zeros(input->dtype, {1, config.num_kv_heads, 0, config.head_size});
    } else {
      fail("models/default declares input '", name, "' that this test does not know how to feed");
    }
  }
  return feeds;
}

// Summed negative log-likelihood (nats) of `targets`, read after <s> + targets[:-1].
double window_nll(Session& session, const models::ModelConfig& config, int32_t bos,
                  std::span<const int32_t> targets) {
  std::vector<int64_t> ids{bos};
  ids.insert(ids.end(), targets.begin(), targets.end() - 1);
  std::vector<Tensor> outputs = session.run(window_feeds(session, config, ids));
  const Tensor* logits = nullptr;
  for (size_t k = 0; k < outputs.size(); ++k)
    if (session.outputs()[k].name == config.io.logits) logits = &outputs[k];
  ONNXGEN_CHECK(logits != nullptr, "models/default has no output '", config.io.logits, "'");
  const int64_t vocab = logits->shape().back();
  ONNXGEN_CHECK(logits->shape() == Shape({1, static_cast<int64_t>(ids.size()), vocab}),
                "unexpected logits ", logits->describe());
  double nll = 0;
  for (size_t pos = 0; pos < targets.size(); ++pos) {
    const int64_t row = static_cast<int64_t>(pos) * vocab;
    double max = -INFINITY;
    for (int64_t v = 0; v < vocab; ++v) max = std::max(max, logits->to_double(row + v));
    double sum = 0;
    for (int64_t v = 0; v < vocab; ++v) sum += std::exp(logits->to_double(row + v) - max);
    nll += max + std::log(sum) - logits->to_double(row + targets[pos]);
  }
  return nll;
}

TEST(DefaultModel, ValidationPerplexityMatchesPyTorch) {
  const auto eval = nlohmann::json::parse(read_file(kModelDir / "eval.json"));
  const fs::path corpus = fs::path(ONNXGEN_SHARED_DIR) / "data" / eval.at("corpus").get<std::string>();
  if (!fs::exists(corpus))
    GTEST_SKIP() << corpus.string() << " not found: the validation text comes from ../shared, which is "
                 << "not part of the repository";

  const std::string text = read_file(corpus);
  const auto val_start = eval.at("val_start_byte").get<size_t>();
  ASSERT_LT(val_start, text.size());
  auto tokenizer = tokenizer::Tokenizer::load(kModelDir);
  const std::vector<int32_t> ids = tokenizer->encode(std::string_view(text).substr(val_start), false);
  // The same ids as PyTorch scored, not just a similar count: the tokenizer is part of the check.
  ASSERT_EQ(ids.size(), eval.at("val_text_tokens").get<size_t>());

  const auto config = models::ModelConfig::load(kModelDir.string());
  ASSERT_TRUE(config.bos_token_id.has_value());
  ASSERT_TRUE(eval.at("add_bos").get<bool>());
  const auto context = eval.at("context").get<size_t>();
  ASSERT_EQ(eval.at("stride").get<size_t>(), context) << "the test reads non-overlapping windows";
  const auto& subset = eval.at("subset");
  const auto windows = subset.at("windows").get<size_t>();
  ASSERT_EQ(subset.at("val_tokens").get<size_t>(), windows * context);
  ASSERT_LE(windows * context, ids.size());

  Session session(config.decoder_path);
  double nll = 0;
  for (size_t w = 0; w < windows; ++w)
    nll += window_nll(session, config, *config.bos_token_id,
                      std::span<const int32_t>(ids).subspan(w * context, context));
  const double perplexity = std::exp(nll / static_cast<double>(windows * context));
  const double expected = subset.at("val_perplexity").get<double>();
  std::cout << "onnxgen perplexity " << perplexity << " on " << windows * context
            << " held-out tokens; PyTorch " << expected << "\n";
  EXPECT_NEAR(perplexity, expected, 0.01 * expected);
}

TEST(DefaultModel, ChatTemplateFramesAScene) {
  auto tokenizer = tokenizer::Tokenizer::load(kModelDir);
  auto tmpl = tokenizer::ChatTemplate::from_tokenizer(*tokenizer);
  const auto messages = nlohmann::ordered_json::parse(R"([
    {"role": "system", "content": "SCENE II. Capulet's orchard."},
    {"role": "user", "content": "But, soft! what light through yonder window breaks?"},
    {"role": "assistant", "content": "Ay me!"},
    {"role": "user", "name": "Nurse", "content": "Madam!"}
  ])");
  tokenizer::ChatOptions options;
  options.add_generation_prompt = true;
  // What transformers' apply_chat_template renders for these messages.
  EXPECT_EQ(tmpl.apply(messages, tokenizer->config(), options),
            "<s>SCENE II. Capulet's orchard.\n\n"
            "ROMEO:\nBut, soft! what light through yonder window breaks?\n\n"
            "JULIET:\nAy me!\n\n"
            "NURSE:\nMadam!\n\n"
            "JULIET:\n");
}

TEST(DefaultModel, SeededGenerationIsReproducible) {
  EngineOptions options;
  options.log = [](const std::string&) {};
  auto engine = Engine::load(kModelDir.string(), options);
  const std::vector<int32_t> prompt = engine->encode("ROMEO:");
  // Sampling, temperature and top-k come from genai_config.json: were its defaults lost (greedy),
  // the two seeds would agree.
  GenerationParams params;
  params.max_new_tokens = 48;
  params.ignore_eos = true;
  params.seed = 5;
  const SequenceResult first = engine->generate(prompt, params).sequences.at(0);
  EXPECT_EQ(first.tokens.size(), 48u);
  EXPECT_FALSE(first.text.empty());
  EXPECT_EQ(engine->generate(prompt, params).sequences.at(0).tokens, first.tokens);
  params.seed = 6;
  EXPECT_NE(engine->generate(prompt, params).sequences.at(0).tokens, first.tokens);
}

}  // namespace
}  // namespace onnxgen
