#include "engine/model_loading.h"

#include <malloc.h>

#include "engine/contiguous_model_runner.h"
#include "engine/paged_model_runner.h"
#include "models/paged_attention_rewrite.h"
#include "models/tied_embedding_gather.h"
#include "runtime/core/device_backend.h"
#include "runtime/core/error.h"
#include "runtime/graph/bf16_weights.h"
#include "runtime/graph/model_loader.h"
#include "runtime/ops/cpu/batched_gemm.h"

namespace onnxgen::engine {
namespace {

// Loading parses large JSON (a 150k-token tokenizer.json is tens of MB of nodes) and the model
// protobuf; glibc keeps the freed heap mapped, so without this a loaded model's resident memory
// would carry that peak for the life of the process.
void release_freed_heap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace

LoadedModel load_model_dir(const std::string& dir, const EngineOptions& options) {
  SessionOptions session_options;
  session_options.device = parse_device(options.device);
  // Before anything is loaded: a device that is not there fails at once, naming it.
  if (session_options.device.type != DeviceType::kCpu) device_backend(session_options.device);
  const bool bf16_weights = options.weight_dtype == "bf16";
  ONNXGEN_CHECK(bf16_weights || options.weight_dtype == "auto", "weight_dtype must be auto or bf16, got '",
                options.weight_dtype, "'");
  if (bf16_weights) {
    ONNXGEN_CHECK(session_options.device.type == DeviceType::kCpu, "weight_dtype bf16 runs on the CPU only, not ",
                  options.device);
    ONNXGEN_CHECK(bf16_weights_supported(), "weight_dtype bf16 needs a CPU with AVX512_BF16; this one has none");
  }
  LoadedModel m;
  m.config = models::ModelConfig::load(dir);
  try {
    m.tokenizer = tokenizer::Tokenizer::load(dir);
  } catch (const tokenizer::Error& e) {
    fail("model directory '", dir, "': ", e.what());
  }
  Model model = load_model(m.config.decoder_path);
  models::TiedEmbeddingGather().run(model);
  models::PagedAttentionRewrite rewrite(m.config);
  if (options.paged_attention) rewrite.run(model);
  models::PagedAttentionReport report = rewrite.report();
  if (!options.paged_attention) report.reason = "paged attention is switched off";
  // After the rewrite, whose patterns read MatMuls as exported.
  if (bf16_weights && !Bf16WeightsPass().run(model))
    options.log("model '" + dir + "': weight_dtype bf16: no MatMul or Gemm has float32 initializer weights; nothing to cast");
  if (!report.rewritten) {
    options.log("model '" + dir + "': " + report.reason +
                "; running it with a contiguous KV cache per sequence (no paged attention, no prefix caching)");
    m.runner = std::make_unique<ContiguousModelRunner>(std::make_unique<Session>(std::move(model), session_options),
                                                        m.config);
    release_freed_heap();
    return m;
  }
  // PagedAttention reads either cache dtype whatever the model computes in, so a float32 model
  // may keep half-size keys and values.
  if (options.kv_dtype == "fp32" || options.kv_dtype == "fp16") {
    report.kv_dtype = options.kv_dtype == "fp32" ? DataType::kFloat : DataType::kFloat16;
    for (auto& in : model.graph->inputs)
      if (in.name.rfind(models::paged::kKeyCachePrefix, 0) == 0 || in.name.rfind(models::paged::kValueCachePrefix, 0) == 0)
        in.dtype = report.kv_dtype;
  } else {
    ONNXGEN_CHECK(options.kv_dtype == "auto", "kv_dtype must be auto, fp32 or fp16, got '", options.kv_dtype, "'");
  }
  KvCacheConfig kv;
  kv.num_layers = report.num_layers();
  kv.num_kv_heads = report.num_kv_heads;
  kv.head_size = report.head_size;
  kv.block_size = options.block_size;
  kv.dtype = report.kv_dtype;
  kv.prefix_caching = options.prefix_caching;
  auto session = std::make_unique<Session>(std::move(model), session_options);
  const int64_t blocks = options.kv_cache_blocks > 0
                             ? options.kv_cache_blocks
                             : kv_blocks_for(kv, options.kv_cache_mb, options.max_num_seqs, m.config.context_length);
  options.log("model '" + dir + "': " + report.summary() + "; KV cache " + std::to_string(blocks) + " blocks of " +
              std::to_string(kv.block_size) + " tokens (" +
              std::to_string(static_cast<size_t>(blocks) * kv.bytes_per_block() >> 20) + " MiB)");
  m.runner = std::make_unique<PagedModelRunner>(std::move(session), report, m.config, kv, blocks,
                                                session_options.device);
  release_freed_heap();
  return m;
}

}  // namespace onnxgen::engine
