#include "runtime/core/device_backend.h"

#include <map>
#include <mutex>
#include <utility>

#include "runtime/core/device_traffic.h"
#include "runtime/core/error.h"

namespace onnxgen {
namespace {

struct Registry {
  std::mutex mu;
  std::map<DeviceType, DeviceBackendFactory> factories;
  std::map<std::pair<DeviceType, int>, std::unique_ptr<DeviceBackend>> backends;
};

Registry& registry() {
  // Leaked on purpose: device buffers held by static objects may be released after main returns.
  static auto* r = new Registry();
  return *r;
}

}  // namespace

bool register_device_backend(DeviceType type, DeviceBackendFactory factory) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  r.factories[type] = std::move(factory);
  return true;
}

bool device_backend_available(DeviceType type) {
  if (type == DeviceType::kCpu) return true;
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  return r.factories.count(type) != 0;
}

DeviceBackend& device_backend(Device device) {
  ONNXGEN_CHECK(device.type != DeviceType::kCpu, "the cpu has no device backend");
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  auto key = std::pair{device.type, device.index};
  if (auto it = r.backends.find(key); it != r.backends.end()) return *it->second;
  auto factory = r.factories.find(device.type);
  if (factory == r.factories.end())
    fail("device ", to_string(device), " is unavailable: onnxgen was built without ", to_string(device.type),
         " support");
  ONNXGEN_CHECK(device.index >= 0, "device ", to_string(device), " has a negative index");
  std::unique_ptr<DeviceBackend> backend = factory->second(device.index);
  return *(r.backends[key] = std::move(backend));
}

Allocator& allocator_for(Device device) {
  return device.type == DeviceType::kCpu ? cpu_allocator() : device_backend(device).allocator();
}

Tensor copy_to_device(const Tensor& t, Device device) {
  if (!t.defined() || t.device() == device) return t;
  ONNXGEN_CHECK(t.dtype() != DataType::kString, "string tensors cannot move to ", to_string(device));
  const Device from = t.device();
  ONNXGEN_CHECK(from.type == DeviceType::kCpu || device.type == DeviceType::kCpu, "copying ", t.describe(), " from ",
                to_string(from), " to ", to_string(device), " directly is not supported");
  Tensor out = Tensor::empty(t.dtype(), t.shape(), allocator_for(device));
  if (t.bytes() == 0) return out;
  if (device.type == DeviceType::kCpu) {
    device_backend(from).download(out.raw(), t.raw(), t.bytes());
    count_download(t.bytes());
  } else {
    device_backend(device).upload(out.raw(), t.raw(), t.bytes());
    count_upload(t.bytes());
  }
  return out;
}

}  // namespace onnxgen
