// Host-side logic of the device backends, which runs without a GPU: device names, the caching
// allocator over a fake device, and the error a cuda request gives where no GPU can serve it.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "runtime/core/device_backend.h"
#include "runtime/core/device_caching_allocator.h"
#include "runtime/core/error.h"
#include "runtime/exec/session.h"

namespace onnxgen {
namespace {

TEST(ParseDevice, AcceptsCpuCudaAndIndexedCuda) {
  EXPECT_EQ(parse_device("cpu"), Device::cpu());
  EXPECT_EQ(parse_device("cuda"), (Device{DeviceType::kCuda, 0}));
  EXPECT_EQ(parse_device("cuda:3"), (Device{DeviceType::kCuda, 3}));
  EXPECT_EQ(to_string(parse_device("cuda:12")), "cuda:12");
}

TEST(ParseDevice, RejectsOtherText) {
  for (const char* bad : {"", "gpu", "cuda:", "cuda:-1", "cuda:1x", "CUDA", "cpu:0"}) {
    try {
      parse_device(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos) << e.what();
    }
  }
}

// Hands out distinct fake addresses, refusing once `capacity` bytes are live.
class FakeMemory : public DeviceMemory {
 public:
  explicit FakeMemory(size_t capacity, std::set<void*>* live) : capacity_(capacity), live_(live) {}
  void* allocate(size_t bytes) override {
    if (used_ + bytes > capacity_) return nullptr;
    used_ += bytes;
    void* p = reinterpret_cast<void*>(next_ += 4096 + bytes);
    sizes_[p] = bytes;
    live_->insert(p);
    return p;
  }
  void release(void* p) override {
    ASSERT_EQ(live_->erase(p), 1u) << "released twice or never allocated";
    used_ -= sizes_.at(p);
  }

 private:
  size_t capacity_, used_ = 0;
  uintptr_t next_ = 1 << 20;
  std::map<void*, size_t> sizes_;
  std::set<void*>* live_;
};

const Device kFakeDevice{DeviceType::kCuda, 7};

TEST(CachingDeviceAllocator, ReusesFreedBlocksOfTheSameSizeClass) {
  std::set<void*> live;
  CachingDeviceAllocator alloc(kFakeDevice, std::make_unique<FakeMemory>(1 << 30, &live));
  void* first = nullptr;
  {
    auto a = alloc.allocate(1000);
    first = a->data();
    EXPECT_EQ(a->bytes(), 1000u);
    EXPECT_EQ(a->device(), kFakeDevice);
    EXPECT_EQ(alloc.stats().in_use_bytes, CachingDeviceAllocator::rounded_size(1000));
  }
  EXPECT_EQ(alloc.stats().in_use_bytes, 0u);
  EXPECT_EQ(alloc.stats().cached_bytes, CachingDeviceAllocator::rounded_size(1000));
  auto b = alloc.allocate(1020);  // same size class as 1000
  EXPECT_EQ(b->data(), first);
  EXPECT_EQ(alloc.stats().device_allocations, 1u);
  auto c = alloc.allocate(1000);  // the cached block is taken: a new one
  EXPECT_NE(c->data(), first);
  EXPECT_EQ(alloc.stats().device_allocations, 2u);
}

TEST(CachingDeviceAllocator, RoundsToAQuarterOfThePowerOfTwo) {
  EXPECT_EQ(CachingDeviceAllocator::rounded_size(0), 512u);
  EXPECT_EQ(CachingDeviceAllocator::rounded_size(512), 512u);
  EXPECT_EQ(CachingDeviceAllocator::rounded_size(513), 640u);
  EXPECT_EQ(CachingDeviceAllocator::rounded_size(1 << 20), size_t{1} << 20);
  EXPECT_EQ(CachingDeviceAllocator::rounded_size((1 << 20) + 1), (size_t{1} << 20) + (size_t{1} << 18));
  for (size_t n : {700u, 5000u, 123456u, 99999999u}) {
    const size_t r = CachingDeviceAllocator::rounded_size(n);
    EXPECT_GE(r, n);
    EXPECT_LE(r, n + n / 4 + 1);
    EXPECT_EQ(r % 128, 0u) << "blocks stay aligned for vector loads";
  }
}

TEST(CachingDeviceAllocator, OutOfMemoryReturnsTheCacheAndRetries) {
  std::set<void*> live;
  CachingDeviceAllocator alloc(kFakeDevice, std::make_unique<FakeMemory>(4096, &live));
  alloc.allocate(2048).reset();  // cached, holding 2048 of the 4096
  EXPECT_EQ(alloc.stats().cached_bytes, 2048u);
  auto big = alloc.allocate(3072);  // does not fit beside the cached block
  EXPECT_EQ(alloc.stats().cached_bytes, 0u);
  EXPECT_EQ(live.size(), 1u);
  try {
    alloc.allocate(3072);
    ADD_FAILURE() << "allocated beyond the fake device's capacity";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("out of memory on cuda:7"), std::string::npos) << e.what();
  }
}

TEST(CachingDeviceAllocator, BuffersOutliveTheAllocator) {
  std::set<void*> live;
  std::shared_ptr<Buffer> kept;
  {
    CachingDeviceAllocator alloc(kFakeDevice, std::make_unique<FakeMemory>(1 << 20, &live));
    kept = alloc.allocate(100);
    alloc.allocate(200).reset();
  }
  EXPECT_EQ(live.size(), 1u);  // the cached block went back with the allocator
  kept.reset();
  EXPECT_TRUE(live.empty());  // the last buffer returned its block
}

// Where no GPU can serve a cuda request (no CUDA in the build, no driver, no device), planning
// fails with the device's name; on a GPU machine the backend exists and this does not apply.
TEST(CudaDevice, UnavailableDeviceIsAClearError) {
  const Device cuda{DeviceType::kCuda, 0};
  try {
    device_backend(cuda);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("device cuda:0 is unavailable"), std::string::npos) << e.what();
    const std::filesystem::path model = std::string(ONNXGEN_FIXTURES_DIR) + "/llama-genai-fp32/model.onnx";
    SessionOptions options;
    options.device = cuda;
    try {
      Session session(model.string(), options);
      ADD_FAILURE() << "planned for an unavailable cuda:0";
    } catch (const Error& e2) {
      EXPECT_NE(std::string(e2.what()).find("device cuda:0 is unavailable"), std::string::npos) << e2.what();
    }
    return;
  }
  GTEST_SKIP() << "cuda:0 is available here; the error path needs a machine without a GPU";
}

TEST(CudaDevice, IndexBeyondTheDevicesIsAClearError) {
  try {
    device_backend({DeviceType::kCuda, 4096});
    ADD_FAILURE() << "cuda:4096 exists";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("device cuda:4096 is unavailable"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace onnxgen
