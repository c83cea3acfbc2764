#pragma once
// Stop strings over streamed text: a stop string may span token boundaries, and no part of it
// may reach the user. Text that could still become a stop string is held back until it cannot.
#include <string>
#include <string_view>
#include <vector>

namespace onnxgen::sampling {

class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stops);

  // Appends `delta` and returns the text now safe to emit. Once a stop string appears,
  // stopped() is true and the returned text ends right before it; later calls return "".
  // Returned views stay valid until the next call (the matcher keeps their buffer, so a step
  // allocates nothing).
  std::string_view feed(std::string_view delta);
  // End of generation without a stop: the text still held back.
  std::string_view flush();
  bool stopped() const { return stopped_; }
  const std::string& matched() const { return matched_; }

 private:
  std::vector<std::string> stops_;
  std::string pending_;
  std::string emitted_;
  bool stopped_ = false;
  std::string matched_;
};

}  // namespace onnxgen::sampling
