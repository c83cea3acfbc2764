// GroupQueryAttention on the GPU: the working cache (past rows kept, new tokens appended and
// rotated), Q rotation, then one warp per query row streaming the keys with an online softmax
// (the flash-decoding recurrence without the split), and the present written from the cache.
#include <cfloat>

#include "runtime/ops/cuda/elem_access.cuh"

namespace onnxgen::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kMaxHeadPerLane = 8;  // head sizes up to 256

__device__ int64_t position_of(const GqaArgs& g, int64_t b, int64_t si) {
  int64_t pos = g.position_ids ? g.position_ids[b * g.seq + si] : g.per_batch[g.batch + b] + si;
  return pos < 0 ? 0 : (pos >= g.max_position ? g.max_position - 1 : pos);
}

// Element d of the head starting at x[base], rotated to position `pos` (see ops/cpu/rotary.h).
__device__ float rotated(const GqaArgs& g, const void* x, ElemType t, int64_t base, int64_t d, int64_t pos) {
  const int64_t half = g.rot_half;
  if (d >= 2 * half) return load_float(x, base + d, t);
  const int64_t i = g.interleaved ? d / 2 : (d < half ? d : d - half);
  const bool first = g.interleaved ? d % 2 == 0 : d < half;
  const int64_t partner = g.interleaved ? (first ? d + 1 : d - 1) : (first ? d + half : d - half);
  const float c = load_float(g.cos, pos * half + i, t), s = load_float(g.sin, pos * half + i, t);
  const float xd = load_float(x, base + d, t), xp = load_float(x, base + partner, t);
  return first ? xd * c - xp * s : xp * s + xd * c;
}

__global__ void build_cache_kernel(GqaArgs g, const void* past, ElemType ct, int64_t past_rows, const void* fresh,
                                   ElemType t, int64_t width, int64_t offset, bool rotate, float* work) {
  const int64_t n = g.batch * g.kv_heads * g.rows * g.head;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t d = i % g.head, r = (i / g.head) % g.rows, h = (i / (g.head * g.rows)) % g.kv_heads;
    const int64_t b = i / (g.head * g.rows * g.kv_heads);
    const int64_t start = g.per_batch[b];
    float v = 0.f;
    if (r < start) {
      if (past) v = load_float(past, ((b * g.kv_heads + h) * past_rows + r) * g.head + d, ct);
    } else if (r < start + g.seq) {
      const int64_t si = r - start;
      const int64_t base = (b * g.seq + si) * width + offset + h * g.head;
      v = rotate ? rotated(g, fresh, t, base, d, position_of(g, b, si)) : load_float(fresh, base + d, t);
    }
    work[i] = v;
  }
}

__global__ void prepare_q_kernel(GqaArgs g, const void* q, ElemType t, int64_t width, bool rotate, float* out) {
  const int64_t n = g.batch * g.seq * g.heads * g.head;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t d = i % g.head, h = (i / g.head) % g.heads, token = i / (g.head * g.heads);
    const int64_t base = token * width + h * g.head;
    out[i] = rotate ? rotated(g, q, t, base, d, position_of(g, token / g.seq, token % g.seq)) : load_float(q, base + d, t);
  }
}

__global__ void attention_kernel(GqaArgs g, const float* q, const float* k, const float* v, void* y, ElemType t) {
  const int64_t row = (blockIdx.x * int64_t{blockDim.x} + threadIdx.x) / 32;  // (b, s, n)
  const int lane = threadIdx.x % 32;
  if (row >= g.batch * g.seq * g.heads) return;
  const int64_t n = row % g.heads, s = (row / g.heads) % g.seq, b = row / (g.heads * g.seq);
  const int64_t kvh = n / (g.heads / g.kv_heads);
  const int64_t pos = g.per_batch[b] + s;  // the query's row in the working cache
  int64_t hi = g.per_batch[2 * g.batch + b];
  hi = hi < pos + 1 ? hi : pos + 1;
  int64_t lo = g.left_window >= 0 ? pos - g.left_window : 0;
  lo = lo < 0 ? 0 : lo;

  float qv[kMaxHeadPerLane], acc[kMaxHeadPerLane];
  for (int e = 0; e < kMaxHeadPerLane; ++e) {
    const int64_t d = lane + 32 * e;
    qv[e] = d < g.head ? q[row * g.head + d] : 0.f;
    acc[e] = 0.f;
  }
  // An extra logit in the denominator (a head sink, or smooth softmax's 0) is a key whose value is 0.
  float m = -FLT_MAX, l = 0.f;
  if (g.head_sink) {
    m = g.head_sink[n];
    l = 1.f;
  } else if (g.smooth_softmax) {
    m = 0.f;
    l = 1.f;
  }
  const float* kb = k + (b * g.kv_heads + kvh) * g.rows * g.head;
  const float* vb = v + (b * g.kv_heads + kvh) * g.rows * g.head;
  for (int64_t j = lo; j < hi; ++j) {
    float dot = 0.f;
    for (int e = 0; e < kMaxHeadPerLane; ++e) {
      const int64_t d = lane + 32 * e;
      if (d < g.head) dot += qv[e] * kb[j * g.head + d];
    }
    for (int o = 16; o > 0; o >>= 1) dot += __shfl_xor_sync(0xffffffffu, dot, o);
    float score = dot * g.scale;
    if (g.softcap > 0.f) score = g.softcap * tanhf(score / g.softcap);
    const float m_new = fmaxf(m, score);
    const float correction = expf(m - m_new), p = expf(score - m_new);
    l = l * correction + p;
    for (int e = 0; e < kMaxHeadPerLane; ++e) {
      const int64_t d = lane + 32 * e;
      if (d < g.head) acc[e] = acc[e] * correction + p * vb[j * g.head + d];
    }
    m = m_new;
  }
  const bool any = hi > lo;  // a row that sees no key outputs zeros
  for (int e = 0; e < kMaxHeadPerLane; ++e) {
    const int64_t d = lane + 32 * e;
    if (d < g.head) store_float(y, ((b * g.seq + s) * g.heads + n) * g.head + d, t, any ? acc[e] / l : 0.f);
  }
}

__global__ void write_present_kernel(GqaArgs g, const float* work, void* present, ElemType ct, int64_t rows_out) {
  const int64_t n = g.batch * g.kv_heads * rows_out * g.head;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t d = i % g.head, r = (i / g.head) % rows_out, h = (i / (g.head * rows_out)) % g.kv_heads;
    const int64_t b = i / (g.head * rows_out * g.kv_heads);
    const int64_t first = g.per_batch[3 * g.batch + b], count = g.per_batch[4 * g.batch + b];
    const float v = r < count ? work[((b * g.kv_heads + h) * g.rows + first + r) * g.head + d] : 0.f;
    store_float(present, i, ct, v);
  }
}

}  // namespace

void gqa_build_cache(const GqaArgs& g, const void* past, ElemType cache_type, int64_t past_rows, const void* fresh,
                     ElemType type, int64_t fresh_width, int64_t fresh_offset, bool rotate, float* work,
                     cudaStream_t stream) {
  const int64_t n = g.batch * g.kv_heads * g.rows * g.head;
  if (n == 0) return;
  build_cache_kernel<<<blocks_for(n, kThreads), kThreads, 0, stream>>>(g, past, cache_type, past_rows, fresh, type,
                                                                        fresh_width, fresh_offset, rotate, work);
  check_launch("GroupQueryAttention cache");
}

void gqa_prepare_q(const GqaArgs& g, const void* q, ElemType type, int64_t q_width, bool rotate, float* out,
                   cudaStream_t stream) {
  const int64_t n = g.batch * g.seq * g.heads * g.head;
  if (n == 0) return;
  prepare_q_kernel<<<blocks_for(n, kThreads), kThreads, 0, stream>>>(g, q, type, q_width, rotate, out);
  check_launch("GroupQueryAttention query");
}

void gqa_attention(const GqaArgs& g, const float* q, const float* k, const float* v, void* y, ElemType type,
                   cudaStream_t stream) {
  const int64_t threads = g.batch * g.seq * g.heads * 32;
  if (threads == 0) return;
  attention_kernel<<<static_cast<unsigned>((threads + kThreads - 1) / kThreads), kThreads, 0, stream>>>(g, q, k, v, y,
                                                                                                      type);
  check_launch("GroupQueryAttention attention");
}

void gqa_write_present(const GqaArgs& g, const float* work, void* present, ElemType cache_type, int64_t present_rows,
                       cudaStream_t stream) {
  const int64_t n = g.batch * g.kv_heads * present_rows * g.head;
  if (n == 0) return;
  write_present_kernel<<<blocks_for(n, kThreads), kThreads, 0, stream>>>(g, work, present, cache_type, present_rows);
  check_launch("GroupQueryAttention present");
}

}  // namespace onnxgen::cuda
