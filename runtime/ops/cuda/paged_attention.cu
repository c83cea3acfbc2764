// PagedAttention on the GPU: the cache write, then attention split over (token, query head) and
// partitions of the token's keys, read through the block table.
#include <algorithm>
#include <cfloat>

#include "runtime/ops/cuda/elem_access.cuh"

namespace onnxgen::cuda {
namespace {

constexpr int kThreads = 256;
// Keys one attention block scores, a key per thread.
constexpr int kPartition = kThreads;

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

__device__ float block_reduce(float v, bool take_max, float* shared) {
  for (int o = 16; o > 0; o >>= 1) {
    const float other = __shfl_xor_sync(0xffffffffu, v, o);
    v = take_max ? fmaxf(v, other) : v + other;
  }
  const int warp = threadIdx.x / 32, warps = blockDim.x / 32;
  __syncthreads();  // `shared` may still be read from the previous reduction
  if (threadIdx.x % 32 == 0) shared[warp] = v;
  __syncthreads();
  v = shared[0];
  for (int w = 1; w < warps; ++w) v = take_max ? fmaxf(v, shared[w]) : v + shared[w];
  return v;
}

// The token's first and last key positions (inclusive) and its sequence.
struct KeyRange {
  int64_t seq, first, last;
};

__device__ KeyRange key_range(const PagedArgs& p, int64_t token) {
  const int64_t s = p.seq_of[token];
  const int64_t pos = p.lens[s] - (p.loc[s + 1] - token);
  const int64_t first = p.window > 0 ? pos - p.window + 1 : 0;
  return {s, first < 0 ? 0 : first, pos};
}

__device__ int64_t key_row(const PagedArgs& p, int64_t s, int64_t kvh, int64_t j) {
  const int64_t block = p.tables[s * p.max_blocks + j / p.block_size];
  return ((block * p.kv_heads + kvh) * p.block_size + j % p.block_size) * p.dim;
}

// One block per (token, head) and partition of kPartition keys: every thread scores one key, then
// groups of `dim` threads sum the weighted values of interleaved keys. With one partition the
// block writes y; with more (flash-decoding: long contexts spread over many blocks, which a single
// decode token needs to fill the GPU) it writes its unnormalised sums and softmax statistics for
// combine_kernel.
__global__ void partition_kernel(PagedArgs p, const void* q, ElemType t, const void* kc, const void* vc, ElemType ct,
                                 void* y, float* part_acc, float* part_stats) {
  __shared__ float q_s[kPagedMaxHeadSize], score[kPartition], sums[kPartition], reduce[32];
  const int64_t item = blockIdx.x, partition = blockIdx.y, partitions = gridDim.y;
  const int64_t token = item / p.heads, h = item % p.heads, kvh = h / (p.heads / p.kv_heads);
  const KeyRange r = key_range(p, token);
  const int64_t begin = r.first + partition * kPartition;
  const int64_t n = r.last + 1 - begin < kPartition ? r.last + 1 - begin : kPartition;
  const int tid = threadIdx.x;
  if (n <= 0) {  // past this token's keys (the grid is sized for the longest context)
    if (partitions == 1) {
      for (int64_t d = tid; d < p.dim; d += blockDim.x) store_float(y, item * p.dim + d, t, 0.f);
    } else if (tid == 0) {
      part_stats[2 * (item * partitions + partition) + 1] = 0.f;  // l = 0: combine_kernel skips it
    }
    return;
  }
  for (int64_t d = tid; d < p.dim; d += blockDim.x) q_s[d] = load_float(q, item * p.dim + d, t) * p.scale;
  __syncthreads();

  float dot = -FLT_MAX;
  if (tid < n) {
    const int64_t row = key_row(p, r.seq, kvh, begin + tid);
    dot = 0.f;
#pragma unroll 8
    for (int64_t d = 0; d < p.dim; ++d) dot += q_s[d] * load_float(kc, row + d, ct);
    if (p.softcap > 0.f) dot = p.softcap * tanhf(dot / p.softcap);
  }
  const float m = block_reduce(dot, true, reduce);
  const float w = tid < n ? expf(dot - m) : 0.f;
  score[tid] = w;
  const float l = block_reduce(w, false, reduce);  // its leading barrier also publishes score[]

  const int64_t groups = blockDim.x / p.dim, g = tid / p.dim, d = tid % p.dim;
  float acc = 0.f;
  if (g < groups)
#pragma unroll 4
    for (int64_t i = g; i < n; i += groups) acc += score[i] * load_float(vc, key_row(p, r.seq, kvh, begin + i) + d, ct);
  if (g < groups) sums[tid] = acc;
  __syncthreads();
  if (tid >= p.dim) return;
  for (int64_t other = 1; other < groups; ++other) acc += sums[other * p.dim + d];
  if (partitions == 1) {
    store_float(y, item * p.dim + d, t, acc / l);
  } else {
    const int64_t at = item * partitions + partition;
    part_acc[at * p.dim + d] = acc;
    if (d == 0) {
      part_stats[2 * at] = m;
      part_stats[2 * at + 1] = l;
    }
  }
}

// Merges a (token, head)'s partitions: each one's sums rescaled to the largest maximum.
__global__ void combine_kernel(PagedArgs p, int64_t partitions, const float* part_acc, const float* part_stats,
                               ElemType t, void* y) {
  const int64_t item = blockIdx.x;
  const float* stats = part_stats + 2 * item * partitions;
  float m = -FLT_MAX;
  for (int64_t i = 0; i < partitions; ++i)
    if (stats[2 * i + 1] > 0.f) m = fmaxf(m, stats[2 * i]);
  float l = 0.f;
  for (int64_t i = 0; i < partitions; ++i)
    if (stats[2 * i + 1] > 0.f) l += stats[2 * i + 1] * expf(stats[2 * i] - m);
  for (int64_t d = threadIdx.x; d < p.dim; d += blockDim.x) {
    float acc = 0.f;
    for (int64_t i = 0; i < partitions; ++i)
      if (stats[2 * i + 1] > 0.f) acc += part_acc[(item * partitions + i) * p.dim + d] * expf(stats[2 * i] - m);
    store_float(y, item * p.dim + d, t, l > 0.f ? acc / l : 0.f);
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

int64_t paged_attention_partitions(const PagedArgs& p) {
  const int64_t keys = p.window > 0 ? std::min(p.window, p.max_context) : p.max_context;
  return std::max<int64_t>(1, (keys + kPartition - 1) / kPartition);
}

void paged_attention(const PagedArgs& p, const void* q, ElemType type, const void* key_cache, const void* value_cache,
                     ElemType cache_type, void* y, float* partials, cudaStream_t stream) {
  const int64_t items = p.tokens * p.heads, partitions = paged_attention_partitions(p);
  if (items == 0) return;
  float* part_stats = partials + items * partitions * p.dim;
  const dim3 grid(static_cast<unsigned>(items), static_cast<unsigned>(partitions));
  partition_kernel<<<grid, kThreads, 0, stream>>>(p, q, type, key_cache, value_cache, cache_type, y, partials,
                                                  part_stats);
  check_launch("PagedAttention");
  if (partitions == 1) return;
  combine_kernel<<<static_cast<unsigned>(items), 128, 0, stream>>>(p, partitions, partials, part_stats, type, y);
  check_launch("PagedAttention partition merge");
}

}  // namespace onnxgen::cuda
