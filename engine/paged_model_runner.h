#pragma once
// The paged runner: the model's attention rewritten to PagedAttention (models/
// paged_attention_rewrite.h), one graph run over the flattened tokens of every scheduled
// sequence, keys and values in a block pool allocated once.
#include <memory>
#include <vector>

#include "engine/model_runner.h"
#include "models/paged_attention_rewrite.h"
#include "runtime/exec/session.h"
#include "runtime/kv_cache/kv_block_pool.h"

namespace onnxgen::engine {

class PagedModelRunner : public ModelRunner {
 public:
  // `session` holds the rewritten graph; the pool holds `num_blocks` blocks laid out as `kv`, on
  // `device`, the session's device (step inputs stay on the host: the session uploads them).
  PagedModelRunner(std::unique_ptr<Session> session, const models::PagedAttentionReport& report,
                   const models::ModelConfig& config, const KvCacheConfig& kv, int64_t num_blocks,
                   Device device = Device::cpu());

  bool paged() const override { return true; }
  int64_t vocab_size() const override { return vocab_; }
  int64_t attach(Sequence& seq) override;
  bool reserve(Sequence& seq, int64_t n) override;
  void fork(const Sequence& from, Sequence& to) override;
  void release(Sequence& seq) override;
  std::span<float> run(std::span<const StepChunk> chunks) override;
  KvUsage usage() const override;
  int64_t max_tokens() const override { return context_; }

 private:
  enum class Role {
    kInputIds, kPositionIds, kAttentionMask, kSlotMapping, kBlockTables, kContextLens, kQueryStartLoc,
    kLogitsIndices, kKeyCache, kValueCache
  };
  struct Input {
    Role role;
    DataType dtype;
    int64_t layer = -1;
  };

  std::unique_ptr<Session> session_;
  std::unique_ptr<KvBlockPool> pool_;
  std::vector<Input> inputs_;
  int logits_output_ = -1;
  bool logits_gathered_;
  int64_t vocab_;
  int64_t context_;
  // Step buffers, reused so a steady decode step allocates none of them.
  std::vector<Tensor> feeds_;
  std::vector<Tensor> outs_;
  std::vector<int64_t> token_ids_, positions_;
  std::vector<float> logits_;
  std::vector<int32_t> logit_rows_;  // rows of the step's tokens whose logits are wanted
};

// Blocks for a budget of `budget_mb` MiB (0: a share of free memory, but no more than
// `max_seqs` full contexts need).
int64_t kv_blocks_for(const KvCacheConfig& kv, int64_t budget_mb, int64_t max_seqs, int64_t context);

}  // namespace onnxgen::engine
