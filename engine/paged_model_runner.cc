#include "engine/paged_model_runner.h"

#include <algorithm>
#include <cstring>

#include "runtime/core/device_backend.h"
#include "runtime/exec/op_profile.h"
#include "runtime/kv_cache/block_table.h"
#include "engine/int_inputs.h"
#include "engine/logits_row.h"

namespace onnxgen::engine {
namespace {

namespace paged = models::paged;

struct PagedKv : SequenceKv {
  explicit PagedKv(BlockTable t) : table(std::move(t)) {}
  BlockTable table;
};

BlockTable& table_of(const Sequence& seq) { return static_cast<PagedKv&>(*seq.kv).table; }

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

int64_t kv_blocks_for(const KvCacheConfig& kv, int64_t budget_mb, int64_t max_seqs, int64_t context) {
  const size_t per_block = kv.bytes_per_block();
  const int64_t per_context = (context + kv.block_size - 1) / kv.block_size;
  if (budget_mb > 0) {
    int64_t blocks = static_cast<int64_t>((static_cast<size_t>(budget_mb) << 20) / per_block);
    ONNXGEN_CHECK(blocks >= 1, "--kv-cache-mb ", budget_mb, " holds no KV block (a block takes ", per_block, " bytes)");
    return blocks;
  }
  int64_t by_memory = static_cast<int64_t>(default_kv_cache_bytes() / per_block);
  return std::max<int64_t>(1, std::min(by_memory, max_seqs * per_context));
}

PagedModelRunner::PagedModelRunner(std::unique_ptr<Session> session, const models::PagedAttentionReport& report,
                                   const models::ModelConfig& config, const KvCacheConfig& kv, int64_t num_blocks,
                                   Device device)
    : session_(std::move(session)),
      logits_gathered_(report.logits_gathered),
      vocab_(config.vocab_size),
      context_(config.context_length) {
  pool_ = std::make_unique<KvBlockPool>(kv, num_blocks, allocator_for(device));

  for (const ValueInfo* in : session_->inputs()) {
    const std::string& n = in->name;
    Input input{Role::kInputIds, in->dtype, -1};
    if (n == paged::kInputIds) input.role = Role::kInputIds;
    else if (n == paged::kPositionIds) input.role = Role::kPositionIds;
    else if (n == paged::kAttentionMask) input.role = Role::kAttentionMask;
    else if (n == paged::kSlotMapping) input.role = Role::kSlotMapping;
    else if (n == paged::kBlockTables) input.role = Role::kBlockTables;
    else if (n == paged::kContextLens) input.role = Role::kContextLens;
    else if (n == paged::kQueryStartLoc) input.role = Role::kQueryStartLoc;
    else if (n == paged::kLogitsIndices) input.role = Role::kLogitsIndices;
    else if (starts_with(n, paged::kKeyCachePrefix) || starts_with(n, paged::kValueCachePrefix)) {
      bool key = starts_with(n, paged::kKeyCachePrefix);
      input.role = key ? Role::kKeyCache : Role::kValueCache;
      input.layer = std::stoll(n.substr(std::strlen(key ? paged::kKeyCachePrefix : paged::kValueCachePrefix)));
      ONNXGEN_CHECK(input.layer >= 0 && input.layer < kv.num_layers, "KV cache input '", n, "' names a layer outside 0..",
                    kv.num_layers - 1);
    } else {
      fail("the rewritten model reads input '", n, "', which the paged engine does not feed");
    }
    inputs_.push_back(input);
  }
  const auto& outputs = session_->outputs();
  for (size_t i = 0; i < outputs.size(); ++i)
    if (outputs[i].name == config.io.logits) logits_output_ = static_cast<int>(i);
  ONNXGEN_CHECK(logits_output_ >= 0, "the model has no output '", config.io.logits, "'");
  if (vocab_ <= 0) {
    const ValueInfo& l = outputs[static_cast<size_t>(logits_output_)];
    ONNXGEN_CHECK(l.has_shape && !l.dims.empty() && l.dims.back().value > 0,
                  "the vocabulary size is neither in the config nor in the shape of '", config.io.logits, "'");
    vocab_ = l.dims.back().value;
  }
  ONNXGEN_CHECK(context_ > 0, "the model's context length is unknown");
  feeds_.resize(inputs_.size());
}

int64_t PagedModelRunner::attach(Sequence& seq) {
  auto kv = std::make_unique<PagedKv>(BlockTable(*pool_));
  kv->table.reserve_lists(context_);
  int64_t cached = pool_->config().prefix_caching ? kv->table.adopt_cached_prefix(seq.tokens) : 0;
  seq.kv = std::move(kv);
  return cached;
}

bool PagedModelRunner::reserve(Sequence& seq, int64_t n) {
  if (seq.computed + n > context_) return false;
  return table_of(seq).reserve(n);
}

void PagedModelRunner::fork(const Sequence& from, Sequence& to) {
  to.kv = std::make_unique<PagedKv>(table_of(from).fork());
  to.computed = from.computed;
}

void PagedModelRunner::release(Sequence& seq) { seq.kv.reset(); }

KvUsage PagedModelRunner::usage() const {
  const BlockAllocator& b = pool_->blocks();
  return {b.num_blocks(), b.num_used(), b.prefix_queries(), b.prefix_hits()};
}

std::span<float> PagedModelRunner::run(std::span<const StepChunk> chunks) {
  const auto seqs = static_cast<int64_t>(chunks.size());
  int64_t total = 0, max_blocks = 1;
  for (const auto& c : chunks) {
    total += c.length;
    max_blocks = std::max<int64_t>(max_blocks, static_cast<int64_t>(table_of(*c.seq).blocks().size()));
  }
  Tensor slots = Tensor::empty(DataType::kInt32, {total});
  Tensor tables = Tensor::zeros(DataType::kInt32, {seqs, max_blocks});
  Tensor context_lens = Tensor::empty(DataType::kInt32, {seqs});
  Tensor starts = Tensor::empty(DataType::kInt32, {seqs + 1});
  token_ids_.resize(static_cast<size_t>(total));
  positions_.resize(static_cast<size_t>(total));
  logit_rows_.clear();
  int64_t t = 0;
  starts.data<int32_t>()[0] = 0;
  for (int64_t s = 0; s < seqs; ++s) {
    const StepChunk& c = chunks[static_cast<size_t>(s)];
    const Sequence& seq = *c.seq;
    const BlockTable& table = table_of(seq);
    for (int64_t i = 0; i < c.length; ++i, ++t) {
      const int64_t pos = seq.computed + i;
      token_ids_[static_cast<size_t>(t)] = seq.tokens[static_cast<size_t>(pos)];
      positions_[static_cast<size_t>(t)] = pos;
      slots.data<int32_t>()[t] = static_cast<int32_t>(table.slot(pos));
    }
    const auto& blocks = table.blocks();
    std::copy(blocks.begin(), blocks.end(), tables.data<int32_t>() + s * max_blocks);
    context_lens.data<int32_t>()[s] = static_cast<int32_t>(seq.computed + c.length);
    starts.data<int32_t>()[s + 1] = static_cast<int32_t>(t);
    if (c.wants_logits) logit_rows_.push_back(static_cast<int32_t>(t - 1));
  }
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const Input& in = inputs_[i];
    switch (in.role) {
      case Role::kInputIds: feeds_[i] = int_row(in.dtype, std::span<const int64_t>(token_ids_)); break;
      case Role::kPositionIds: feeds_[i] = int_row(in.dtype, std::span<const int64_t>(positions_)); break;
      case Role::kAttentionMask: feeds_[i] = counting_int_row(in.dtype, total, 1, 0); break;
      case Role::kSlotMapping: feeds_[i] = slots; break;
      case Role::kBlockTables: feeds_[i] = tables; break;
      case Role::kContextLens: feeds_[i] = context_lens; break;
      case Role::kQueryStartLoc: feeds_[i] = starts; break;
      case Role::kLogitsIndices: {
        Tensor rows = Tensor::empty(DataType::kInt32, {static_cast<int64_t>(logit_rows_.size())});
        std::copy(logit_rows_.begin(), logit_rows_.end(), rows.data<int32_t>());
        feeds_[i] = std::move(rows);
        break;
      }
      case Role::kKeyCache: feeds_[i] = pool_->keys(in.layer); break;
      case Role::kValueCache: feeds_[i] = pool_->values(in.layer); break;
    }
  }
  {
    const op_profile::Phase phase(total == seqs ? "decode steps" : "steps with prompt tokens");
    session_->run(feeds_, outs_);
  }
  for (const auto& c : chunks) {
    Sequence& seq = *c.seq;
    table_of(seq).append(std::span<const int32_t>(seq.tokens).subspan(static_cast<size_t>(seq.computed),
                                                                      static_cast<size_t>(c.length)));
    seq.computed += c.length;
  }

  const Tensor& logits = outs_[static_cast<size_t>(logits_output_)];
  const int64_t rows_out = logits.numel() / vocab_;
  const auto wanted = static_cast<int64_t>(logit_rows_.size());
  ONNXGEN_CHECK(logits.numel() % vocab_ == 0 && rows_out == (logits_gathered_ ? wanted : total), "logits ",
                logits.describe(), " do not hold ", logits_gathered_ ? wanted : total, " rows of ", vocab_);
  logits_.resize(static_cast<size_t>(wanted * vocab_));
  for (int64_t r = 0; r < wanted; ++r) {
    const int64_t src_row = logits_gathered_ ? r : logit_rows_[static_cast<size_t>(r)];
    copy_logits_row(logits, src_row, vocab_, logits_.data() + r * vocab_);
  }
  outs_.clear();  // the logits' buffer goes back to the allocator now
  return {logits_.data(), logits_.size()};
}

}  // namespace onnxgen::engine
