#include "runtime/kv_cache/kv_block_pool.h"

#include <cstring>
#include <fstream>
#include <string>

#include "runtime/core/device_backend.h"

namespace onnxgen {

size_t KvCacheConfig::bytes_per_block() const {
  return 2 * static_cast<size_t>(num_layers * num_kv_heads * block_size * head_size) * element_size(dtype);
}

int64_t KvCacheConfig::blocks_for_budget(size_t budget_bytes) const {
  size_t per_block = bytes_per_block();
  ONNXGEN_CHECK(per_block > 0, "KV cache config has a zero dimension");
  return static_cast<int64_t>(budget_bytes / per_block);
}

size_t default_kv_cache_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  size_t kb = 0;
  while (meminfo >> key) {
    if (key == "MemAvailable:") {
      meminfo >> kb;
      return kb * 1024 / 2;
    }
    meminfo.ignore(256, '\n');
  }
  return size_t{1} << 30;
}

KvBlockPool::KvBlockPool(const KvCacheConfig& config, int64_t num_blocks, Allocator& allocator)
    : config_(config), blocks_(num_blocks, config.block_size, config.prefix_caching) {
  ONNXGEN_CHECK(config.dtype == DataType::kFloat || config.dtype == DataType::kFloat16 ||
                    config.dtype == DataType::kBFloat16,
                "KV cache dtype must be float32, float16 or bfloat16, got ", to_string(config.dtype));
  ONNXGEN_CHECK(config.num_layers > 0 && config.num_kv_heads > 0 && config.head_size > 0 && config.block_size > 0,
                "KV cache config has a non-positive dimension");
  Shape shape = {num_blocks, config.num_kv_heads, config.block_size, config.head_size};
  try {
    for (int64_t l = 0; l < config.num_layers; ++l) {
      keys_.push_back(Tensor::empty(config.dtype, shape, allocator));
      values_.push_back(Tensor::empty(config.dtype, shape, allocator));
    }
  } catch (const Error& e) {
    fail("cannot allocate a KV cache of ", num_blocks, " blocks (",
         static_cast<double>(config.bytes_per_block()) * static_cast<double>(num_blocks) / (1 << 20),
         " MiB): ", e.what(), "; lower --kv-cache-mb");
  }
}

void KvBlockPool::copy_block(BlockId src, BlockId dst) {
  size_t bytes = config_.bytes_per_block() / static_cast<size_t>(2 * config_.num_layers);
  const Device device = keys_.front().device();
  DeviceBackend* backend = device.type == DeviceType::kCpu ? nullptr : &device_backend(device);
  for (size_t l = 0; l < keys_.size(); ++l)
    for (Tensor* t : {&keys_[l], &values_[l]}) {
      char* base = static_cast<char*>(t->raw());
      char* to = base + static_cast<size_t>(dst) * bytes;
      const char* from = base + static_cast<size_t>(src) * bytes;
      if (backend) backend->copy(to, from, bytes);
      else std::memcpy(to, from, bytes);
    }
}

}  // namespace onnxgen
