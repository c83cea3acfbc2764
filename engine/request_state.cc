#include "engine/request_state.h"

namespace onnxgen::engine {

RequestState::RequestState(uint64_t id, std::vector<int32_t> prompt, ResolvedParams params, StreamCallback callback)
    : id_(id), prompt_(std::move(prompt)), params_(std::move(params)), callback_(std::move(callback)) {}

bool RequestState::done() const {
  std::lock_guard lock(mutex_);
  return finished_;
}

GenerationResult RequestState::wait() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return finished_; });
  return result_;
}

bool RequestState::next(StreamEvent& event) {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return !events_.empty() || finished_; });
  if (events_.empty()) return false;
  event = std::move(events_.front());
  events_.pop_front();
  return true;
}

void RequestState::emit(StreamEvent& event) {
  if (callback_) {
    callback_(event);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
  }
  cv_.notify_all();
}

void RequestState::finish(GenerationResult result) {
  {
    std::lock_guard lock(mutex_);
    result_ = std::move(result);
    finished_ = true;
  }
  cv_.notify_all();
}

}  // namespace onnxgen::engine
