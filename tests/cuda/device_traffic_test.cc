// The host<->device accounting, on a stand-in device: this process registers a backend for cuda
// whose memory is host memory, so copies and placement run without a GPU (and only ops without a
// CUDA kernel are planned, since a real CUDA kernel would be handed host pointers).
#include <gtest/gtest.h>

#include <cstring>

#include "runtime/core/device_backend.h"
#include "runtime/core/device_caching_allocator.h"
#include "runtime/core/device_traffic.h"
#include "runtime/exec/execution_plan.h"
#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

const Device kStandIn{DeviceType::kCuda, 0};

class HostMemory : public DeviceMemory {
 public:
  void* allocate(size_t bytes) override { return std::malloc(bytes); }
  void release(void* p) override { std::free(p); }
};

class StandInBackend : public DeviceBackend {
 public:
  Device device() const override { return kStandIn; }
  Allocator& allocator() override { return allocator_; }
  void upload(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void download(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }
  void copy(void* dst, const void* src, size_t bytes) override { std::memcpy(dst, src, bytes); }

 private:
  CachingDeviceAllocator allocator_{kStandIn, std::make_unique<HostMemory>()};
};

class DeviceTrafficTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    register_device_backend(DeviceType::kCuda, [](int) { return std::make_unique<StandInBackend>(); });
  }
};

TEST_F(DeviceTrafficTest, CopiesAreCountedByDirectionAndBytes) {
  const Tensor host = make_tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  const DeviceTraffic before = device_traffic();
  const Tensor on_device = copy_to_device(host, kStandIn);
  const Tensor back = copy_to_device(on_device, Device::cpu());
  copy_to_device(back, Device::cpu());  // already there: no copy
  const DeviceTraffic d = device_traffic().since(before);
  EXPECT_EQ(d.uploads, 1u);
  EXPECT_EQ(d.upload_bytes, 24u);
  EXPECT_EQ(d.downloads, 1u);
  EXPECT_EQ(d.download_bytes, 24u);
  EXPECT_EQ(back.data<float>()[5], 6.f);
}

// A node without a device kernel runs on the CPU: its device input comes down, and the run, the
// host step and the copy all show in the counts.
TEST_F(DeviceTrafficTest, AHostPlacedStepOfADevicePlanIsCounted) {
  const Tensor x = make_tensor<float>({4}, {-1, 2, -3, 4});
  auto graph = single_node_graph("Abs", {x}, {}, 1);
  PlanOptions options;
  options.device = kStandIn;
  ExecutionPlan plan(graph, single_node_opsets(13, ""), {}, options);
  const Tensor x_on_device = copy_to_device(x, kStandIn);
  const DeviceTraffic before = device_traffic();
  const std::vector<Tensor> y = plan.run(std::vector<Tensor>{x_on_device});
  const DeviceTraffic d = device_traffic().since(before);
  EXPECT_EQ(plan.placements()[0], Device::cpu());
  EXPECT_EQ(d.device_runs, 1u);
  EXPECT_EQ(d.host_steps, 1u);
  EXPECT_EQ(d.downloads, 1u);
  EXPECT_EQ(d.download_bytes, 16u);
  EXPECT_EQ(d.uploads, 0u);  // the output is returned on the host where it was made
  EXPECT_EQ(y[0].data<float>()[2], 3.f);
}

}  // namespace
}  // namespace onnxgen::testing
