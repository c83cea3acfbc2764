// The engine on a device other than the CPU: asking for a device that is not there fails at load,
// naming it; on a machine with a GPU (scripts/gpu_check.sh), the KV block pool lives in device
// memory, its copy-on-write copies there, and greedy tokens on cuda equal the CPU's for every
// fixture, paged and contiguous. The GPU tests skip where no CUDA device can be used.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "onnxgen/engine.h"
#include "runtime/core/device_backend.h"
#include "runtime/kv_cache/kv_block_pool.h"

namespace onnxgen {
namespace {

namespace fs = std::filesystem;
// scripts/gpu_check.sh runs this binary from another checkout: ONNXGEN_SOURCE_DIR in the
// environment names it.
const fs::path kFixtures =
    fs::path(std::getenv("ONNXGEN_SOURCE_DIR") ? std::getenv("ONNXGEN_SOURCE_DIR") : ONNXGEN_SOURCE_DIR) / "tests" /
    "fixtures" / "models";
const Device kCuda{DeviceType::kCuda, 0};

// Why cuda:0 cannot be used, or empty when it can.
std::string cuda_unusable() {
  try {
    device_backend(kCuda);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

EngineOptions quiet_options(const std::string& device) {
  EngineOptions o;
  o.log = [](const std::string&) {};
  o.kv_cache_mb = 16;
  o.device = device;
  return o;
}

std::vector<std::string> fp32_fixtures() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kFixtures)) {
    const std::string n = e.path().filename().string();
    if (n.ends_with("-fp32") && fs::exists(e.path() / "fixture.json")) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string error_of_loading(const std::string& device) {
  try {
    Engine::load((kFixtures / "llama-genai-fp32").string(), quiet_options(device));
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

TEST(EngineDevice, UnknownDeviceNamesIt) {
  const std::string error = error_of_loading("tpu:1");
  EXPECT_NE(error.find("unknown device 'tpu:1'"), std::string::npos) << error;
}

TEST(EngineDevice, CudaWithoutAGpuFailsNamingTheDevice) {
  if (cuda_unusable().empty()) GTEST_SKIP() << "cuda:0 is usable here";
  const std::string error = error_of_loading("cuda");
  EXPECT_NE(error.find("device cuda:0 is unavailable"), std::string::npos) << error;
}

TEST(EngineDevice, KvBlockCopyOnWriteStaysOnTheDevice) {
  if (std::string why = cuda_unusable(); !why.empty()) GTEST_SKIP() << why;
  KvCacheConfig kv;
  kv.num_layers = 2;
  kv.num_kv_heads = 2;
  kv.head_size = 8;
  kv.block_size = 4;
  KvBlockPool pool(kv, 3, allocator_for(kCuda));
  ASSERT_EQ(pool.keys(0).device(), kCuda);
  const int64_t per_block = kv.num_kv_heads * kv.block_size * kv.head_size;
  std::vector<float> host(static_cast<size_t>(3 * per_block));
  for (int64_t l = 0; l < kv.num_layers; ++l)
    for (const Tensor* t : {&pool.keys(l), &pool.values(l)}) {
      std::iota(host.begin(), host.end(), static_cast<float>(1000 * l + (t == &pool.keys(l) ? 0 : 500)));
      device_backend(kCuda).upload(t->raw(), host.data(), host.size() * sizeof(float));
    }
  pool.copy_block(0, 2);
  for (int64_t l = 0; l < kv.num_layers; ++l)
    for (const Tensor* t : {&pool.keys(l), &pool.values(l)}) {
      device_backend(kCuda).download(host.data(), t->raw(), host.size() * sizeof(float));
      EXPECT_TRUE(std::equal(host.begin(), host.begin() + per_block, host.begin() + 2 * per_block)) << "layer " << l;
      EXPECT_NE(host[static_cast<size_t>(per_block)], host[static_cast<size_t>(2 * per_block)]) << "layer " << l;
    }
}

class DeviceGeneration : public ::testing::TestWithParam<std::string> {};

// Greedy tokens, prompt and continuation long enough to cross KV blocks, with the paged runner
// (block pool on the device) and the contiguous fallback (the export's own past/present).
TEST_P(DeviceGeneration, CudaGreedyTokensEqualTheCpus) {
  if (std::string why = cuda_unusable(); !why.empty()) GTEST_SKIP() << why;
  const fs::path dir = kFixtures / GetParam();
  std::ifstream in(dir / "fixture.json");
  const auto prompt = nlohmann::json::parse(in)["prompt_ids"].get<std::vector<int32_t>>();
  GenerationParams greedy;
  greedy.do_sample = false;
  greedy.max_new_tokens = 24;
  greedy.ignore_eos = true;
  for (bool paged : {true, false}) {
    std::vector<int32_t> tokens[2];
    for (int d = 0; d < 2; ++d) {
      EngineOptions o = quiet_options(d == 0 ? "cpu" : "cuda");
      o.paged_attention = paged;
      o.block_size = 4;
      auto engine = Engine::load(dir.string(), o);
      GenerationResult r = engine->generate(prompt, greedy);
      ASSERT_TRUE(r.error.empty()) << r.error;
      tokens[d] = r.sequences.at(0).tokens;
    }
    EXPECT_EQ(tokens[1], tokens[0]) << (paged ? "paged" : "contiguous");
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DeviceGeneration, ::testing::ValuesIn(fp32_fixtures()), [](const auto& info) {
  std::string n = info.param;
  for (char& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
});

}  // namespace
}  // namespace onnxgen
