#pragma once
// The public API: load a model once, then submit any number of concurrent requests against it.
// One engine thread runs the model on a flattened batch of every running request's tokens
// (continuous batching over a paged KV cache); requests stream their tokens back through a
// callback or a pull iterator. The CLI and the HTTP server use exactly this API.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "onnxgen/generation.h"

namespace onnxgen {

// A request that cannot be served as asked (prompt longer than the context, bad parameter):
// the caller's fault, reported before anything runs.
class InvalidRequest : public std::invalid_argument {
 public:
  InvalidRequest(std::string message, std::string param = {})
      : std::invalid_argument(std::move(message)), param_(std::move(param)) {}
  const std::string& param() const { return param_; }

 private:
  std::string param_;
};

// submit() refused because max_queue requests are already waiting: retry later.
class QueueFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EngineOptions {
  std::string device = "cpu";  // "cpu" or "cuda[:N]"
  int threads = 0;             // 0: one per core
  int64_t kv_cache_mb = 0;     // 0: a share of free memory, capped by what max_num_seqs × context needs
  int64_t kv_cache_blocks = 0;  // overrides kv_cache_mb with an exact block count (tests, tuning)
  int block_size = 16;
  std::string kv_dtype = "auto";  // auto (the model's), fp32, fp16
  // auto: weights as stored. bf16: a float32 model's MatMul and Gemm weights cast to bfloat16 at
  // load, about twice the decode speed for bfloat16 rounding of weights and activations (CPUs with
  // AVX512_BF16).
  std::string weight_dtype = "auto";
  int max_num_seqs = 64;          // sequences decoding at once
  int max_batch_tokens = 512;     // tokens per step; long prompts are prefilled in chunks of this
  int max_queue = 0;              // waiting requests before submit() refuses (0: unbounded)
  bool prefix_caching = true;
  // false runs the model as exported, one contiguous past per sequence (the fallback for
  // attention the rewrite does not recognise), e.g. to compare the two paths.
  bool paged_attention = true;
  // Receives the engine's log lines (which attention path a model uses, preemptions); null: stderr.
  std::function<void(const std::string&)> log;
};

struct ChatMessage {
  std::string role;
  std::string content;
};

struct ModelInfo {
  std::string dir;
  std::string name;    // the directory's last component
  std::string family;  // llama, qwen2, gpt2, ...
  int64_t vocab_size = 0;
  int64_t context_length = 0;
  std::vector<int32_t> eos_token_ids;
  std::optional<int32_t> bos_token_id;
  std::optional<int32_t> pad_token_id;
  bool paged_attention = false;  // false: the contiguous-KV fallback runs this model
  bool has_chat_template = false;
};

struct EngineStats {
  int64_t running = 0;
  int64_t waiting = 0;
  int64_t kv_blocks_total = 0;
  int64_t kv_blocks_used = 0;
  int64_t prefix_cache_queries = 0;  // full prompt blocks looked up
  int64_t prefix_cache_hits = 0;
  int64_t preemptions = 0;
  int64_t prompt_tokens = 0;     // processed (not cached) prompt tokens, all time
  int64_t generated_tokens = 0;  // all time
  int64_t steps = 0;
};

using StreamCallback = std::function<void(const StreamEvent&)>;

// A submitted request. Thread-safe; outlives the engine's interest in it.
class Request {
 public:
  virtual ~Request() = default;
  virtual uint64_t id() const = 0;
  // Stops generation at the next step; sequences finish with FinishReason::kCancelled and their
  // KV blocks are freed. Safe to call at any time, from any thread, more than once.
  virtual void cancel() = 0;
  virtual bool done() const = 0;
  // Blocks until the request finishes and returns everything it generated.
  virtual GenerationResult wait() = 0;
  // Pull-style streaming for requests submitted without a callback: blocks for the next event,
  // false once the request has finished and every event was taken.
  virtual bool next(StreamEvent& event) = 0;
};

class Engine {
 public:
  // Opens a model directory (onnxruntime-genai or Hugging Face Optimum layout). Throws
  // std::runtime_error naming the file or field at fault.
  static std::shared_ptr<Engine> load(const std::string& model_dir, EngineOptions options = {});
  virtual ~Engine() = default;

  virtual const ModelInfo& info() const = 0;

  virtual std::vector<int32_t> encode(const std::string& text, bool add_special_tokens = true) const = 0;
  virtual std::string decode(std::span<const int32_t> tokens, bool skip_special_tokens = true) const = 0;
  // Renders the model's chat template (throws InvalidRequest when the model has none).
  virtual std::string apply_chat_template(const std::vector<ChatMessage>& messages,
                                          bool add_generation_prompt = true) const = 0;

  // Queues a request; the callback (optional) runs on the engine thread for every event and must
  // not block. Throws InvalidRequest for bad parameters or a prompt that does not fit, and
  // QueueFull when max_queue requests are already waiting.
  virtual std::shared_ptr<Request> submit(std::vector<int32_t> prompt, const GenerationParams& params,
                                          StreamCallback on_event = {}) = 0;
  // submit() then wait().
  GenerationResult generate(std::vector<int32_t> prompt, const GenerationParams& params,
                            StreamCallback on_event = {});

  virtual EngineStats stats() const = 0;
  // Cancels everything in flight and stops the engine thread; submit() refuses afterwards.
  virtual void shutdown() = 0;
};

}  // namespace onnxgen
