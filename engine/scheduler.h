#pragma once
// Decides, every step, which tokens run: continuous batching at the iteration level. Running
// requests first (decodes, then the rest of chunked prefills), then waiting requests while the
// token budget, the sequence limit and the KV cache allow. When the cache cannot grow a running
// sequence, the most recently admitted request is preempted: its blocks are freed and it waits
// to be recomputed (its tokens are kept, so the output is unchanged).
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "engine/model_runner.h"
#include "engine/request_state.h"

namespace onnxgen::engine {

struct SchedulerLimits {
  int64_t max_num_seqs = 64;
  int64_t max_batch_tokens = 512;
};

class Scheduler {
 public:
  Scheduler(ModelRunner& runner, SchedulerLimits limits) : runner_(runner), limits_(limits) {}

  void enqueue(std::shared_ptr<RequestState> request) { waiting_.push_back(std::move(request)); }
  // Fills `chunks` for the next step. Requests that can never fit the cache are moved to
  // `failed` with a message naming the numbers.
  void schedule(std::vector<StepChunk>& chunks, std::vector<std::pair<std::shared_ptr<RequestState>, std::string>>& failed);
  // Drops a finished or cancelled request, freeing what it holds in the cache.
  void remove(const RequestState& request);

  const std::vector<std::shared_ptr<RequestState>>& running() const { return running_; }
  const std::deque<std::shared_ptr<RequestState>>& waiting() const { return waiting_; }
  int64_t running_sequences() const;
  int64_t preemptions() const { return preemptions_; }

 private:
  // Reserves room for `n` tokens of `seq`, preempting later requests as needed; false when the
  // request owning `seq` had to be preempted itself.
  bool reserve_or_preempt(Sequence& seq, int64_t n, size_t owner_index);
  void preempt(size_t running_index);
  // Frees every block of `request`'s sequences; they will be recomputed from their tokens.
  void release(const RequestState& request);
  void admit(RequestState& request);

  ModelRunner& runner_;
  SchedulerLimits limits_;
  std::vector<std::shared_ptr<RequestState>> running_;
  std::deque<std::shared_ptr<RequestState>> waiting_;
  uint64_t admissions_ = 0;
  int64_t preemptions_ = 0;
};

}  // namespace onnxgen::engine
