#pragma once
// Where tensors live and kernels run. Kernels register per device type, so a CUDA backend adds
// its own kernels and allocator without touching the CPU ones.
#include <string>

namespace onnxgen {

enum class DeviceType { kCpu, kCuda };

struct Device {
  DeviceType type = DeviceType::kCpu;
  int index = 0;
  bool operator==(const Device&) const = default;
  static Device cpu() { return {}; }
};

inline std::string to_string(DeviceType t) { return t == DeviceType::kCpu ? "cpu" : "cuda"; }
inline std::string to_string(Device d) {
  return d.type == DeviceType::kCpu ? "cpu" : "cuda:" + std::to_string(d.index);
}

// "cpu", "cuda" (device 0) or "cuda:N"; throws naming the text otherwise.
Device parse_device(const std::string& text);

}  // namespace onnxgen
