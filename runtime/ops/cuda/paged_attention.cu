// PagedAttention on the GPU: the cache write, then one warp per (token, query head) streaming its
// sequence's keys through the block table with an online softmax.
#include <cfloat>

#include "runtime/ops/cuda/elem_access.cuh"

namespace onnxgen::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kMaxDimPerLane = 8;  // head sizes up to 256

__global__ void write_cache_kernel(PagedArgs p, const void* k, const void* v, ElemType t, void* kc, void* vc,
                                   ElemType ct) {
  const int64_t n = p.tokens * p.kv_heads * p.dim;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t d = i % p.dim, h = (i / p.dim) % p.kv_heads, token = i / (p.dim * p.kv_heads);
    const int64_t slot = p.slots[token];
    if (slot < 0) continue;
    const int64_t dst = ((slot / p.block_size * p.kv_heads + h) * p.block_size + slot % p.block_size) * p.dim + d;
    store_float(kc, dst, ct, load_float(k, i, t));
    store_float(vc, dst, ct, load_float(v, i, t));
  }
}

__global__ void attention_kernel(PagedArgs p, const void* q, ElemType t, const void* kc, const void* vc, ElemType ct,
                                 void* y) {
  const int64_t item = (blockIdx.x * int64_t{blockDim.x} + threadIdx.x) / 32;  // (token, head)
  const int lane = threadIdx.x % 32;
  if (item >= p.tokens * p.heads) return;
  const int64_t token = item / p.heads, h = item % p.heads, kvh = h / (p.heads / p.kv_heads);
  const int64_t s = p.seq_of[token];
  const int64_t pos = p.lens[s] - (p.loc[s + 1] - token);
  int64_t first = p.window > 0 ? pos - p.window + 1 : 0;
  first = first < 0 ? 0 : first;
  float qv[kMaxDimPerLane], acc[kMaxDimPerLane];
  for (int e = 0; e < kMaxDimPerLane; ++e) {
    const int64_t d = lane + 32 * e;
    qv[e] = d < p.dim ? load_float(q, item * p.dim + d, t) * p.scale : 0.f;
    acc[e] = 0.f;
  }
  float m = -FLT_MAX, l = 0.f;
  for (int64_t j = first; j <= pos; ++j) {
    const int64_t block = p.tables[s * p.max_blocks + j / p.block_size];
    const int64_t base = ((block * p.kv_heads + kvh) * p.block_size + j % p.block_size) * p.dim;
    float dot = 0.f;
    for (int e = 0; e < kMaxDimPerLane; ++e) {
      const int64_t d = lane + 32 * e;
      if (d < p.dim) dot += qv[e] * load_float(kc, base + d, ct);
    }
    for (int o = 16; o > 0; o >>= 1) dot += __shfl_xor_sync(0xffffffffu, dot, o);
    if (p.softcap > 0.f) dot = p.softcap * tanhf(dot / p.softcap);
    const float m_new = fmaxf(m, dot);
    const float correction = expf(m - m_new), w = expf(dot - m_new);
    l = l * correction + w;
    for (int e = 0; e < kMaxDimPerLane; ++e) {
      const int64_t d = lane + 32 * e;
      if (d < p.dim) acc[e] = acc[e] * correction + w * load_float(vc, base + d, ct);
    }
    m = m_new;
  }
  const float inv = l > 0.f ? 1.f / l : 0.f;
  for (int e = 0; e < kMaxDimPerLane; ++e) {
    const int64_t d = lane + 32 * e;
    if (d < p.dim) store_float(y, item * p.dim + d, t, acc[e] * inv);
  }
}

}  // namespace

void paged_write_cache(const PagedArgs& p, const void* k, const void* v, ElemType type, void* key_cache,
                       void* value_cache, ElemType cache_type, cudaStream_t stream) {
  const int64_t n = p.tokens * p.kv_heads * p.dim;
  if (n == 0) return;
  write_cache_kernel<<<blocks_for(n, kThreads), kThreads, 0, stream>>>(p, k, v, type, key_cache, value_cache,
                                                                        cache_type);
  check_launch("PagedAttention cache write");
}

void paged_attention(const PagedArgs& p, const void* q, ElemType type, const void* key_cache, const void* value_cache,
                     ElemType cache_type, void* y, cudaStream_t stream) {
  const int64_t threads = p.tokens * p.heads * 32;
  if (threads == 0) return;
  attention_kernel<<<static_cast<unsigned>((threads + kThreads - 1) / kThreads), kThreads, 0, stream>>>(
      p, q, type, key_cache, value_cache, cache_type, y);
  check_launch("PagedAttention");
}

}  // namespace onnxgen::cuda
