#include "runtime/core/device_traffic.h"

#include <atomic>

namespace onnxgen {
namespace {

struct Counters {
  std::atomic<uint64_t> uploads{0}, upload_bytes{0}, downloads{0}, download_bytes{0}, device_runs{0}, host_steps{0};
};

Counters& counters() {
  static Counters c;
  return c;
}

void add(std::atomic<uint64_t>& counter, uint64_t n) { counter.fetch_add(n, std::memory_order_relaxed); }
uint64_t read(const std::atomic<uint64_t>& counter) { return counter.load(std::memory_order_relaxed); }

}  // namespace

DeviceTraffic DeviceTraffic::since(const DeviceTraffic& earlier) const {
  return {uploads - earlier.uploads,         upload_bytes - earlier.upload_bytes, downloads - earlier.downloads,
          download_bytes - earlier.download_bytes, device_runs - earlier.device_runs,  host_steps - earlier.host_steps};
}

DeviceTraffic device_traffic() {
  const Counters& c = counters();
  return {read(c.uploads), read(c.upload_bytes), read(c.downloads), read(c.download_bytes), read(c.device_runs),
          read(c.host_steps)};
}

void count_upload(size_t bytes) {
  add(counters().uploads, 1);
  add(counters().upload_bytes, bytes);
}

void count_download(size_t bytes) {
  add(counters().downloads, 1);
  add(counters().download_bytes, bytes);
}

void count_device_run() { add(counters().device_runs, 1); }
void count_host_step() { add(counters().host_steps, 1); }

}  // namespace onnxgen
