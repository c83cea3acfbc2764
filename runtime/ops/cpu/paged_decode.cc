#include "runtime/ops/cpu/paged_decode.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <span>

#include "runtime/core/scratch.h"
#include "runtime/core/simd.h"
#include "runtime/ops/cpu/half_convert.h"
#include "runtime/ops/cpu/vector_math.h"

namespace onnxgen {
namespace {

constexpr int64_t kKeys = 16;  // keys scored per vector
// Runs end at multiples of kRunKeys key positions: short enough that a single sequence's context
// keeps both threads busy, long enough that merging costs little; its scores fit a fixed scratch.
constexpr int64_t kRunKeys = 128;

using Lanes = float __attribute__((vector_size(kKeys * sizeof(float))));

// Vectors go through memory, not by value: a clone without AVX-512 would pass them on the
// stack (GCC warns of the ABI difference) even where every call is inlined.
inline __attribute__((always_inline)) void load(Lanes& v, const float* p) { std::memcpy(&v, p, sizeof v); }

// out[c] is the sum of x[c]'s lanes: four rounds, each adding the two halves of
// every pair of vectors into one, where summing each vector alone would be a serial chain of
// fifteen scalar adds per key.
inline __attribute__((always_inline)) void lane_sums(const Lanes* x, float* out) {
  Lanes y[8], z[4], w[2];
  for (int i = 0; i < 8; ++i)
    y[i] = __builtin_shufflevector(x[2 * i], x[2 * i + 1], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23) +
           __builtin_shufflevector(x[2 * i], x[2 * i + 1], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30,
                                   31);
  for (int i = 0; i < 4; ++i)
    z[i] = __builtin_shufflevector(y[2 * i], y[2 * i + 1], 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27) +
           __builtin_shufflevector(y[2 * i], y[2 * i + 1], 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
  for (int i = 0; i < 2; ++i)
    w[i] = __builtin_shufflevector(z[2 * i], z[2 * i + 1], 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29) +
           __builtin_shufflevector(z[2 * i], z[2 * i + 1], 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
  const Lanes sums = __builtin_shufflevector(w[0], w[1], 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30) +
                     __builtin_shufflevector(w[0], w[1], 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  std::memcpy(out, &sums, sizeof sums);
}

// s[r * stride + c] = q[r] · k[c] for `rows` query rows and kKeys key rows of C * 16 floats.
template <int C>
inline __attribute__((always_inline)) void scores_of(const float* __restrict q, int64_t rows,
                                                    const float* __restrict k, float* __restrict s,
                                                    int64_t stride) {
  for (int64_t r = 0; r < rows; ++r) {
    Lanes qr[C];
    for (int j = 0; j < C; ++j) load(qr[j], q + r * C * kKeys + j * kKeys);
    Lanes x[kKeys];
    for (int c = 0; c < kKeys; ++c) {
      Lanes row[C];
      for (int j = 0; j < C; ++j) load(row[j], k + c * C * kKeys + j * kKeys);
      x[c] = qr[0] * row[0];
      for (int j = 1; j < C; ++j) x[c] += qr[j] * row[j];
    }
    lane_sums(x, s + r * stride);
  }
}

ONNXGEN_SIMD_CLONES
void block_scores(const float* q, int64_t rows, int64_t dim, const float* k, float* s, int64_t stride) {
  switch (dim) {
    case 64: return scores_of<4>(q, rows, k, s, stride);
    case 96: return scores_of<6>(q, rows, k, s, stride);
    case 128: return scores_of<8>(q, rows, k, s, stride);
    default: return scores_of<16>(q, rows, k, s, stride);
  }
}

// acc[r] += sum over j < n of p[r * stride + j] * v[j] for NH rows: their accumulators stay in
// registers while each value row is loaded once for all of them.
template <int C, int NH>
inline __attribute__((always_inline)) void accumulate_heads(float* __restrict acc, const float* __restrict p,
                                                           int64_t stride, const float* __restrict v, int64_t n) {
  Lanes a[NH][C];
  for (int r = 0; r < NH; ++r)
    for (int c = 0; c < C; ++c) load(a[r][c], acc + (r * C + c) * kKeys);
  for (int64_t j = 0; j < n; ++j) {
    Lanes row[C];
    for (int c = 0; c < C; ++c) load(row[c], v + (j * C + c) * kKeys);
    for (int r = 0; r < NH; ++r) {
      const float w = p[r * stride + j];
      for (int c = 0; c < C; ++c) a[r][c] += w * row[c];
    }
  }
  for (int r = 0; r < NH; ++r)
    for (int c = 0; c < C; ++c) std::memcpy(acc + (r * C + c) * kKeys, &a[r][c], sizeof(Lanes));
}

// Rows in groups of as many as keep accumulators plus a value row within 32 vector registers.
template <int C>
inline __attribute__((always_inline)) void accumulate_of(float* acc, const float* p, int64_t stride, int64_t rows,
                                                        const float* v, int64_t n) {
  constexpr int kGroup = C <= 6 ? 4 : C <= 8 ? 2 : 1;
  int64_t r = 0;
  for (; r + kGroup <= rows; r += kGroup) accumulate_heads<C, kGroup>(acc + r * C * kKeys, p + r * stride, stride, v, n);
  for (; r + 1 <= rows; ++r) accumulate_heads<C, 1>(acc + r * C * kKeys, p + r * stride, stride, v, n);
}

ONNXGEN_SIMD_CLONES
void accumulate_values(float* acc, const float* p, int64_t stride, int64_t rows, int64_t dim, const float* v,
                       int64_t n) {
  switch (dim) {
    case 64: return accumulate_of<4>(acc, p, stride, rows, v, n);
    case 96: return accumulate_of<6>(acc, p, stride, rows, v, n);
    case 128: return accumulate_of<8>(acc, p, stride, rows, v, n);
    default: return accumulate_of<16>(acc, p, stride, rows, v, n);
  }
}

// Keys [lo, hi] of one sequence, a work item for each KV head.
struct Run {
  int32_t seq, lo, hi, runs_of_seq;
};

// What a run leaves for the merge: per query head of its group, the max and sum of its scores
// and the unnormalised weighted values.
struct Partial {
  float* acc;     // group x dim
  float* max;     // group
  float* sum;     // group
};

class Decoder {
 public:
  explicit Decoder(const PagedDecode& p) : p_(p), group_(p.heads / p.kv_heads) {
    int64_t runs = 0;
    for (int64_t s = 0; s < p.seqs; ++s) runs += runs_of(s);
    runs_ = thread_scratch<Run, struct DecodeRuns>(static_cast<size_t>(runs));
    size_t at = 0;
    for (int64_t s = 0; s < p.seqs; ++s) {
      const auto n = static_cast<int32_t>(runs_of(s));
      if (n == 0) continue;
      for (int64_t lo = first_key(s); lo < p.lens[s]; lo = (lo / kRunKeys + 1) * kRunKeys)
        runs_[at++] = {static_cast<int32_t>(s), static_cast<int32_t>(lo),
                       static_cast<int32_t>(std::min<int64_t>(p.lens[s], (lo / kRunKeys + 1) * kRunKeys) - 1), n};
    }
    const auto items = static_cast<size_t>(runs * p.kv_heads), rows = static_cast<size_t>(group_);
    partials_ = thread_scratch<float, struct DecodePartials>(items * rows * static_cast<size_t>(p.dim + 2));
    finished_ = thread_scratch<int32_t, struct DecodeFinished>(static_cast<size_t>(p.seqs * p.kv_heads));
    std::fill(finished_.begin(), finished_.end(), 0);
  }

  int64_t items() const { return static_cast<int64_t>(runs_.size()) * p_.kv_heads; }

  // Per-thread scratch: scores and a widened block of one item.
  size_t scratch_floats() const { return static_cast<size_t>(group_ * kRunKeys + kKeys * p_.dim); }

  template <class Cache>
  void run(int64_t item, float* mem) const {
    const Run& run = runs_[static_cast<size_t>(item / p_.kv_heads)];
    const int64_t kvh = item % p_.kv_heads, dim = p_.dim;
    const int64_t lo16 = run.lo / kKeys * kKeys, stride = kRunKeys;
    float* scores = mem;
    float* widened = scores + group_ * stride;
    const float* q = p_.q + (p_.loc[run.seq] * p_.heads + kvh * group_) * dim;
    const auto* key_cache = static_cast<const Cache*>(p_.key_cache);
    const auto* value_cache = static_cast<const Cache*>(p_.value_cache);

    for (int64_t j = lo16; j <= run.hi; j += kKeys) {
      prefetch_rows(value_cache, run.seq, kvh, j);
      if (j + kKeys <= run.hi) prefetch_rows(key_cache, run.seq, kvh, j + kKeys);
      block_scores(q, group_, dim, rows_at(key_cache, run.seq, kvh, j, widened), scores + (j - lo16), stride);
    }
    const int64_t skip = run.lo - lo16, n = run.hi - run.lo + 1;
    const Partial out = partial(item);
    for (int64_t r = 0; r < group_; ++r) {
      float* s = scores + r * stride + skip;
      if (p_.softcap > 0)
        for (int64_t j = 0; j < n; ++j) s[j] = p_.softcap * tanh_approx(s[j] / p_.softcap);
      out.max[r] = *std::max_element(s, s + n);
      out.sum[r] = exp_shifted_sum(s, out.max[r], s, n);
    }
    std::fill(out.acc, out.acc + group_ * dim, 0.0f);
    for (int64_t j = lo16; j <= run.hi; j += kKeys) {
      const int64_t from = std::max<int64_t>(j, run.lo), to = std::min<int64_t>(j + kKeys - 1, run.hi);
      const float* v = rows_at(value_cache, run.seq, kvh, j, widened) + (from - j) * dim;
      accumulate_values(out.acc, scores + (from - lo16), stride, group_, dim, v, to - from + 1);
    }
    // The last run of this sequence and KV head to finish merges them all (acq_rel: it sees the
    // partials the others wrote before counting themselves done); a lone run just normalises.
    std::atomic_ref<int32_t> finished(finished_[static_cast<size_t>(run.seq * p_.kv_heads + kvh)]);
    if (finished.fetch_add(1, std::memory_order_acq_rel) == run.runs_of_seq - 1) merge(item, kvh);
  }

 private:
  // The runs of sequence s: its keys cut at multiples of kRunKeys; none unless it queries one token.
  int64_t runs_of(int64_t s) const {
    if (p_.loc[s + 1] - p_.loc[s] != 1) return 0;
    return (p_.lens[s] - 1) / kRunKeys - first_key(s) / kRunKeys + 1;
  }

  int64_t first_key(int64_t s) const { return p_.window > 0 ? std::max<int64_t>(0, p_.lens[s] - p_.window) : 0; }

  // Key j of sequence s in KV head kvh's part of the cache, where its block keeps it.
  template <class Cache>
  const Cache* cache_rows(const Cache* cache, int64_t s, int64_t kvh, int64_t j) const {
    const int64_t block = p_.tables[s * p_.max_blocks + j / p_.block_size];
    return cache + ((block * p_.kv_heads + kvh) * p_.block_size + j % p_.block_size) * p_.dim;
  }

  // kKeys rows from key j of sequence s in KV head kvh's part of the cache, as floats. Rows past
  // the context are read (a block always holds them) and ignored.
  template <class Cache>
  const float* rows_at(const Cache* cache, int64_t s, int64_t kvh, int64_t j, float* widened) const {
    const Cache* rows = cache_rows(cache, s, kvh, j);
    if constexpr (std::is_same_v<Cache, float>) {
      return rows;
    } else {
      widen_halves(rows, widened, kKeys * p_.dim);
      return widened;
    }
  }

  // Brings the kKeys rows from key j towards L2 ahead of their use: while a block of keys is
  // scored, its values and the next block of keys. One thread alone reads a block (a few KiB
  // that start a page of their own, which the hardware prefetcher waits on misses to enter) at a
  // few GB/s; with these requests in flight, paged_attention_bench (shuffled blocks) at 8 x 192
  // keys: SmolLM2 205 -> 129 us, Qwen2.5 150 -> 108; 1 x 2048: 263 -> 162 and 220 -> 138.
  // Asking for L1 instead (more requests than its fill buffers) gained nothing. Inlined by force:
  // GCC deems a call to a function of prefetches alone free of effects and drops it.
  template <class Cache>
  __attribute__((always_inline)) void prefetch_rows(const Cache* cache, int64_t s, int64_t kvh, int64_t j) const {
    const char* rows = reinterpret_cast<const char*>(cache_rows(cache, s, kvh, j));
    const int64_t bytes = kKeys * p_.dim * static_cast<int64_t>(sizeof(Cache));
    for (int64_t b = 0; b < bytes; b += 64) __builtin_prefetch(rows + b, 0, 2);
  }

  Partial partial(int64_t item) const {
    float* base = partials_.data() + item * group_ * (p_.dim + 2);
    return {base, base + group_ * p_.dim, base + group_ * p_.dim + group_};
  }

  // Softmax over all runs of the sequence from theirs: each run's sum and values rescaled from
  // its own max to the common one.
  void merge(int64_t item, int64_t kvh) const {
    const int64_t mine = item / p_.kv_heads;
    const int32_t seq = runs_[static_cast<size_t>(mine)].seq;
    int64_t first = mine;
    while (first > 0 && runs_[static_cast<size_t>(first - 1)].seq == seq) --first;
    const int64_t count = runs_[static_cast<size_t>(first)].runs_of_seq;
    const auto part = [&](int64_t i) { return partial((first + i) * p_.kv_heads + kvh); };
    for (int64_t r = 0; r < group_; ++r) {
      float max = -INFINITY, sum = 0;
      for (int64_t i = 0; i < count; ++i) max = std::max(max, part(i).max[r]);
      float* y = p_.y + (p_.loc[seq] * p_.heads + kvh * group_ + r) * p_.dim;
      std::fill(y, y + p_.dim, 0.0f);
      for (int64_t i = 0; i < count; ++i) {
        const Partial run = part(i);
        const float w = exp_approx(run.max[r] - max);
        sum += w * run.sum[r];
        for (int64_t d = 0; d < p_.dim; ++d) y[d] += w * run.acc[r * p_.dim + d];
      }
      const float inv = 1.0f / sum;
      for (int64_t d = 0; d < p_.dim; ++d) y[d] *= inv;
    }
  }

  const PagedDecode& p_;
  int64_t group_;
  std::span<Run> runs_;
  std::span<float> partials_;
  std::span<int32_t> finished_;
};

}  // namespace

bool paged_decode_supports(int64_t dim, int64_t block_size) {
  return (dim == 64 || dim == 96 || dim == 128 || dim == 256) && block_size % kKeys == 0;
}

void paged_decode(ThreadPool& pool, const PagedDecode& p) {
  const Decoder decoder(p);
  const ChunkScratch<float, struct DecodeRows> scratch(pool, decoder.scratch_floats());
  pool.parallel_for(decoder.items(), 1, [&](int64_t begin, int64_t end) {
    float* mem = scratch.mine().data();
    for (int64_t item = begin; item < end; ++item) {
      if (p.half_cache) decoder.run<Float16>(item, mem);
      else decoder.run<float>(item, mem);
    }
  });
}

}  // namespace onnxgen
