#include "engine/model_loading.h"

#include "engine/contiguous_model_runner.h"
#include "engine/paged_model_runner.h"
#include "models/paged_attention_rewrite.h"
#include "runtime/core/error.h"

namespace onnxgen::engine {

LoadedModel load_model_dir(const std::string& dir, const EngineOptions& options) {
  LoadedModel m;
  m.config = models::ModelConfig::load(dir);
  try {
    m.tokenizer = tokenizer::Tokenizer::load(dir);
  } catch (const tokenizer::Error& e) {
    fail("model directory '", dir, "': ", e.what());
  }
  auto rewrite = std::make_shared<models::PagedAttentionRewrite>(m.config);
  SessionOptions session_options;
  session_options.passes.push_back(rewrite);
  auto session = std::make_unique<Session>(m.config.decoder_path, std::move(session_options));
  const models::PagedAttentionReport& report = rewrite->report();
  if (!report.rewritten) {
    options.log("model '" + dir + "': " + report.reason +
                "; running it with a contiguous KV cache per sequence (no paged attention, no prefix caching)");
    m.runner = std::make_unique<ContiguousModelRunner>(std::move(session), m.config);
    return m;
  }
  KvCacheConfig kv;
  kv.num_layers = report.num_layers();
  kv.num_kv_heads = report.num_kv_heads;
  kv.head_size = report.head_size;
  kv.block_size = options.block_size;
  kv.dtype = report.kv_dtype;
  if (options.kv_dtype == "fp32") kv.dtype = DataType::kFloat;
  else if (options.kv_dtype == "fp16") kv.dtype = DataType::kFloat16;
  else ONNXGEN_CHECK(options.kv_dtype == "auto", "kv_dtype must be auto, fp32 or fp16, got '", options.kv_dtype, "'");
  ONNXGEN_CHECK(kv.dtype == report.kv_dtype, "this model's rewritten attention keeps its KV cache in ",
                to_string(report.kv_dtype), "; kv_dtype ", options.kv_dtype, " is not supported for it");
  const int64_t blocks = kv_blocks_for(kv, options.kv_cache_mb, options.max_num_seqs, m.config.context_length);
  options.log("model '" + dir + "': " + report.summary() + "; KV cache " + std::to_string(blocks) + " blocks of " +
              std::to_string(kv.block_size) + " tokens (" +
              std::to_string(static_cast<size_t>(blocks) * kv.bytes_per_block() >> 20) + " MiB)");
  m.runner = std::make_unique<PagedModelRunner>(std::move(session), report, m.config, kv, blocks,
                                                options.prefix_caching);
  return m;
}

}  // namespace onnxgen::engine
