#pragma once
// One API request's generation: an engine request per prompt, their streamed events funnelled
// into one queue that the HTTP thread drains with a bounded wait (so it can notice a closed
// connection or a passed deadline). Destroying it cancels whatever still runs, so every way out
// of a handler — an exception, a disconnect, a timeout — gives the KV blocks back.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "onnxgen/engine.h"

namespace onnxgen::server {

struct ChoiceEvent {
  int choice = 0;  // prompt index × n + the sequence's index
  StreamEvent event;
};

class GenerationStream {
 public:
  // Submits every prompt. Throws ApiError: 400 for an invalid request, 429 (with Retry-After)
  // when the engine's queue is full, 503 when the engine refuses work; on a throw, the prompts
  // already submitted are cancelled.
  GenerationStream(Engine& engine, const std::vector<std::vector<int32_t>>& prompts, const GenerationParams& params);
  ~GenerationStream();
  GenerationStream(const GenerationStream&) = delete;
  GenerationStream& operator=(const GenerationStream&) = delete;

  int choices() const { return choices_; }
  // The next event, waiting at most `wait`; nullopt when none came in time or all are taken.
  std::optional<ChoiceEvent> next(std::chrono::milliseconds wait);
  // Every choice has finished and every event was taken.
  bool finished() const;
  void cancel();
  // Once finished: the engine's results, one per prompt (usage, timings, full texts).
  std::vector<GenerationResult> results();

 private:
  struct Queue {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<ChoiceEvent> events;
    int finished = 0;
  };
  std::shared_ptr<Queue> queue_ = std::make_shared<Queue>();
  std::vector<std::shared_ptr<Request>> requests_;
  int choices_ = 0;
};

}  // namespace onnxgen::server
