#include "runtime/core/device.h"

#include <charconv>

#include "runtime/core/error.h"

namespace onnxgen {

Device parse_device(const std::string& text) {
  if (text == "cpu") return Device::cpu();
  if (text == "cuda") return {DeviceType::kCuda, 0};
  const std::string prefix = "cuda:";
  if (text.starts_with(prefix) && text.size() > prefix.size()) {
    int index = -1;
    const char* first = text.data() + prefix.size();
    const char* last = text.data() + text.size();
    auto [end, ec] = std::from_chars(first, last, index);
    if (ec == std::errc() && end == last && index >= 0) return {DeviceType::kCuda, index};
  }
  fail("unknown device '", text, "': expected cpu, cuda or cuda:N");
}

}  // namespace onnxgen
