#pragma once
// The fallback runner: the model as exported, with its past/present KV inputs and outputs. Each
// sequence keeps its own contiguous past tensors, and chunks run one sequence at a time. Used
// when no attention rewrite recognises the model's attention.
#include <memory>
#include <string>
#include <vector>

#include "engine/model_runner.h"
#include "models/model_config.h"
#include "runtime/exec/session.h"

namespace onnxgen::engine {

class ContiguousModelRunner : public ModelRunner {
 public:
  ContiguousModelRunner(std::unique_ptr<Session> session, const models::ModelConfig& config);

  bool paged() const override { return false; }
  int64_t vocab_size() const override { return vocab_; }
  int64_t attach(Sequence& seq) override;
  bool reserve(Sequence& seq, int64_t n) override;
  void fork(const Sequence& from, Sequence& to) override;
  void release(Sequence& seq) override;
  std::span<float> run(std::span<const StepChunk> chunks) override;
  KvUsage usage() const override { return {}; }
  int64_t max_tokens() const override { return context_; }

 private:
  enum class Role { kInputIds, kAttentionMask, kPositionIds, kPast };
  struct Input {
    Role role;
    DataType dtype;
    Shape empty_past;  // kPast: the shape of a past holding no tokens
    int present_output = -1;
  };
  // Feeds `length` tokens of `seq` and copies the last position's logits to `logits_out`.
  void run_chunk(Sequence& seq, int64_t length, float* logits_out);

  std::unique_ptr<Session> session_;
  std::vector<Input> inputs_;  // in session input order
  int logits_output_ = -1;
  int64_t vocab_;
  int64_t context_;
  std::vector<float> logits_;
  std::vector<Tensor> feeds_;
};

}  // namespace onnxgen::engine
