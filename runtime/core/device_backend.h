#pragma once
// A device other than the CPU as the executor sees it: an allocator and copies to and from the
// host. A backend (CUDA) registers a factory from its own files, so a build without it links
// nothing of it, and asking for its device is an error naming the device, not a crash.
#include <cstddef>
#include <functional>
#include <memory>

#include "runtime/core/allocator.h"
#include "runtime/core/device.h"
#include "runtime/core/tensor.h"

namespace onnxgen {

class DeviceBackend {
 public:
  virtual ~DeviceBackend() = default;
  virtual Device device() const = 0;
  virtual Allocator& allocator() = 0;
  // Host → device; returns once `src` may be reused or freed.
  virtual void upload(void* dst, const void* src, size_t bytes) = 0;
  // Device → host; returns once the bytes are on the host, after all work queued before it.
  virtual void download(void* dst, const void* src, size_t bytes) = 0;
  // Device → same device, queued after the work before it (a KV block's copy-on-write).
  virtual void copy(void* dst, const void* src, size_t bytes) = 0;
};

// Makes the backend of device `index`; throws when that device cannot be used (no driver, no GPU).
using DeviceBackendFactory = std::function<std::unique_ptr<DeviceBackend>(int index)>;

// Called from a backend's static initialiser; returns true so it can initialise a static.
bool register_device_backend(DeviceType type, DeviceBackendFactory factory);
// Whether a backend for `type` is compiled in (the CPU always is).
bool device_backend_available(DeviceType type);
// The backend of a non-CPU `device`, made on first use and kept for the process.
DeviceBackend& device_backend(Device device);
// The allocator of any device, the CPU's included.
Allocator& allocator_for(Device device);

// `t` on `device`: `t` itself when it is already there, else a copy.
Tensor copy_to_device(const Tensor& t, Device device);

}  // namespace onnxgen
