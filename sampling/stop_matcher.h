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
  std::string feed(std::string_view delta);
  // End of generation without a stop: the text still held back.
  std::string flush();
  bool stopped() const { return stopped_; }
  const std::string& matched() const { return matched_; }

 private:
  std::vector<std::string> stops_;
  std::string pending_;
  bool stopped_ = false;
  std::string matched_;
};

}  // namespace onnxgen::sampling
