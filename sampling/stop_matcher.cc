#include "sampling/stop_matcher.h"

#include <algorithm>

#include "runtime/core/error.h"

namespace onnxgen::sampling {

StopMatcher::StopMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {
  size_t longest = 0;
  for (const auto& s : stops_) {
    ONNXGEN_CHECK(!s.empty(), "stop strings must not be empty");
    longest = std::max(longest, s.size());
  }
  // Held-back text is shorter than the longest stop; a delta is a token's text. Room for both
  // up front keeps feeding from growing the buffers a step at a time.
  constexpr size_t kDeltaBytes = 256;
  pending_.reserve(longest + kDeltaBytes);
  emitted_.reserve(longest + kDeltaBytes);
}

std::string_view StopMatcher::feed(std::string_view delta) {
  if (stopped_) return {};
  if (stops_.empty()) return delta;
  pending_.append(delta);
  size_t first = std::string::npos;
  for (const auto& s : stops_) {
    size_t at = pending_.find(s);
    if (at != std::string::npos && (first == std::string::npos || at < first)) {
      first = at;
      matched_ = s;
    }
  }
  if (first != std::string::npos) {
    stopped_ = true;
    emitted_.assign(pending_, 0, first);
    pending_.clear();
    return emitted_;
  }
  // Hold back the longest tail that is a proper prefix of some stop string.
  size_t hold = 0;
  for (const auto& s : stops_)
    for (size_t len = std::min(s.size() - 1, pending_.size()); len > hold; --len)
      if (pending_.compare(pending_.size() - len, len, s, 0, len) == 0) {
        hold = len;
        break;
      }
  emitted_.assign(pending_, 0, pending_.size() - hold);
  pending_.erase(0, pending_.size() - hold);
  return emitted_;
}

std::string_view StopMatcher::flush() {
  if (stopped_) return {};
  emitted_.swap(pending_);
  pending_.clear();
  return emitted_;
}

}  // namespace onnxgen::sampling
