#pragma once
// Runs the model for one engine step over a flattened batch of sequence chunks and owns the KV
// cache the sequences live in. Two implementations: PagedModelRunner (attention rewritten to
// PagedAttention over the block pool) and ContiguousModelRunner (the model as exported, one
// contiguous past per sequence — the fallback for attention no rewrite recognises).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/sequence.h"

namespace onnxgen::engine {

// One step's work: for each scheduled sequence, the `length` tokens starting at its `computed`
// count; logits are wanted when the chunk reaches the sequence's last token.
struct StepChunk {
  Sequence* seq;
  int64_t length;
  bool wants_logits;
};

struct KvUsage {
  int64_t blocks_total = 0;
  int64_t blocks_used = 0;
  int64_t prefix_queries = 0;
  int64_t prefix_hits = 0;
};

class ModelRunner {
 public:
  virtual ~ModelRunner() = default;

  virtual bool paged() const = 0;
  virtual int64_t vocab_size() const = 0;

  // Gives a new sequence its KV state; returns prompt tokens already cached (prefix cache).
  virtual int64_t attach(Sequence& seq) = 0;
  // Room for `n` more tokens of `seq`; false when the cache is full (nothing changes then).
  virtual bool reserve(Sequence& seq, int64_t n) = 0;
  // `to` continues from `from`'s cached tokens, sharing what it can.
  virtual void fork(const Sequence& from, Sequence& to) = 0;
  // Frees everything `seq` holds in the cache.
  virtual void release(Sequence& seq) = 0;

  // Runs the chunks (space reserved beforehand) and advances each sequence's `computed`.
  // Returns one row of vocab_size() logits per chunk that wants logits, in chunk order; the
  // storage is reused by the next step.
  virtual std::span<float> run(std::span<const StepChunk> chunks) = 0;

  virtual KvUsage usage() const = 0;
  // Tokens one sequence may hold at most (the context length).
  virtual int64_t max_tokens() const = 0;
};

}  // namespace onnxgen::engine
