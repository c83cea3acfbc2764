#pragma once
// Process-wide counts of what crosses between the host and the devices, and of the nodes a device
// plan sends back to the CPU. Cheap enough to keep on always; they are the first thing to read
// when a device run is slower than its kernels: a value copied across every step, or a node
// without a device kernel, shows up here per run (onnxgen bench --device prints them per decode
// step).
#include <cstddef>
#include <cstdint>

namespace onnxgen {

struct DeviceTraffic {
  uint64_t uploads = 0, upload_bytes = 0;      // host -> device copies
  uint64_t downloads = 0, download_bytes = 0;  // device -> host copies
  uint64_t device_runs = 0;  // ExecutionPlan::run calls of plans for a device
  uint64_t host_steps = 0;   // steps of those runs placed on the CPU

  // The counts since `earlier`, a snapshot taken before.
  DeviceTraffic since(const DeviceTraffic& earlier) const;
};

// The totals so far.
DeviceTraffic device_traffic();

void count_upload(size_t bytes);
void count_download(size_t bytes);
void count_device_run();
void count_host_step();

}  // namespace onnxgen
