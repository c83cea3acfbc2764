#include "server/generation_stream.h"

#include "runtime/core/error.h"
#include "server/api_error.h"

namespace onnxgen::server {
GenerationStream::GenerationStream(Engine& engine, const std::vector<std::vector<int32_t>>& prompts,
                                   const GenerationParams& params) {
  const int per_prompt = params.num_beams.value_or(1) > 1 ? params.num_return_sequences : params.n;
  choices_ = per_prompt * static_cast<int>(prompts.size());
  try {
    for (size_t p = 0; p < prompts.size(); ++p) {
      const int base = static_cast<int>(p) * per_prompt;
      // The callback runs on the engine thread and may outlive this object (a cancelled request
      // still reports its finish), so it holds the queue, never `this`.
      requests_.push_back(engine.submit(prompts[p], params, [queue = queue_, base](const StreamEvent& event) {
        {
          std::lock_guard lock(queue->mutex);
          if (event.finish != FinishReason::kNone) ++queue->finished;
          queue->events.push_back({base + event.index, event});
        }
        queue->ready.notify_all();
      }));
    }
  } catch (const InvalidRequest& e) {
    cancel();
    throw ApiError(400, e.what(), e.param());
  } catch (const QueueFull& e) {
    cancel();
    ApiError busy(429, str_cat("the server is at capacity (", e.what(), "); retry shortly"), "", "queue_full");
    busy.retry_after_s = 1;
    throw busy;
  } catch (const std::runtime_error& e) {
    cancel();
    throw ApiError(503, str_cat("the engine refused the request: ", e.what()));
  }
}

GenerationStream::~GenerationStream() { cancel(); }

std::optional<ChoiceEvent> GenerationStream::next(std::chrono::milliseconds wait) {
  std::unique_lock lock(queue_->mutex);
  queue_->ready.wait_for(lock, wait, [&] { return !queue_->events.empty(); });
  if (queue_->events.empty()) return std::nullopt;
  ChoiceEvent e = std::move(queue_->events.front());
  queue_->events.pop_front();
  return e;
}

bool GenerationStream::finished() const {
  std::lock_guard lock(queue_->mutex);
  if (!queue_->events.empty()) return false;
  if (queue_->finished >= choices_) return true;
  // A request that failed as a whole may end without a finish event per sequence.
  for (const auto& r : requests_)
    if (!r->done()) return false;
  return true;
}

void GenerationStream::cancel() {
  for (const auto& r : requests_) r->cancel();
}

std::vector<GenerationResult> GenerationStream::results() {
  std::vector<GenerationResult> out;
  out.reserve(requests_.size());
  for (const auto& r : requests_) out.push_back(r->wait());
  return out;
}

}  // namespace onnxgen::server
