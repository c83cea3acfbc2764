#pragma once
// The engine's side of a submitted request: its resolved parameters, its sequences, and the
// hand-off of events and the final result to whichever thread waits on it.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>

#include "engine/sequence.h"
#include "onnxgen/engine.h"
#include "sampling/beam_search.h"
#include "sampling/sampling_params.h"

namespace onnxgen::engine {

// GenerationParams with the model's defaults filled in and every limit made concrete.
struct ResolvedParams {
  sampling::SamplingParams sampling;
  int n = 1;
  int num_beams = 1;
  float length_penalty = 1;
  bool early_stopping = false;
  int num_return_sequences = 1;
  int64_t max_total_tokens = 0;  // prompt included
  int64_t min_new_tokens = 0;
  std::vector<std::string> stop;
  std::vector<int32_t> stop_token_ids;  // eos ids (unless ignored) and the request's own
  bool skip_special_tokens = true;
  bool logprobs = false;
};

class RequestState : public Request {
 public:
  using Clock = std::chrono::steady_clock;

  RequestState(uint64_t id, std::vector<int32_t> prompt, ResolvedParams params, StreamCallback callback);

  uint64_t id() const override { return id_; }
  void cancel() override { cancelled_ = true; }
  bool done() const override;
  GenerationResult wait() override;
  bool next(StreamEvent& event) override;

  // Engine thread only.
  bool cancel_requested() const { return cancelled_; }
  // The callback sees `event`; without one, the pull queue takes its contents.
  void emit(StreamEvent& event);
  void finish(GenerationResult result);

  const std::vector<int32_t>& prompt() const { return prompt_; }
  const ResolvedParams& params() const { return params_; }
  std::vector<std::unique_ptr<Sequence>> sequences;
  std::unique_ptr<sampling::BeamSearch> beam;
  int64_t cached_prompt_tokens = 0;
  Clock::time_point submitted = Clock::now();
  Clock::time_point first_token{};
  uint64_t admission = 0;  // order of (re)admission; preemption picks the latest

 private:
  uint64_t id_;
  std::vector<int32_t> prompt_;
  ResolvedParams params_;
  StreamCallback callback_;
  std::atomic<bool> cancelled_{false};

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<StreamEvent> events_;  // for next(); only when there is no callback
  bool finished_ = false;
  GenerationResult result_;
};

}  // namespace onnxgen::engine
