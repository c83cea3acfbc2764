#pragma once
// How the decode GEMVs (gemv.cc over float B, gemv_half.cc over fp16/bf16 B) split
// C[m][n] = A[m][k] * op(B) across the pool. Both are bound by reading B once, so the split is
// about keeping every thread streaming B while its partial sums stay in cache; the kernels that
// do the arithmetic are the callers'.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "runtime/core/thread_pool.h"

namespace onnxgen::gemv {

// Partial sums one thread keeps per pass over B (columns per pass = this / rows): one row's stay
// in L2 while B's rows stream whole; several rows' are read and written for every slice of B, so
// they are kept near L1 (SmolLM2's 49152-column head at 8 rows: 6-7 -> 8-13 GB/s).
constexpr int64_t kAccBytesOneRow = 192 * 1024;
constexpr int64_t kAccBytesRows = 48 * 1024;
// Bound on all threads' partial sums of a B split along k.
constexpr int64_t kMaxPartialBytes = 512 * 1024;

// Row stride of the partial sums: a whole number of vectors, and never a multiple of 4 KiB. The
// kernels store one row's sums and load the next row's right after; when rows lie a multiple of
// 4 KiB apart (C's rows of a 49152-column head) the CPU takes each load for one that depends on
// the store before it (4K aliasing) and the rows' sums run one after another instead of overlapped:
// SmolLM2's head at 8 rows, 12.9 -> 19-23 GB/s.
inline int64_t padded_ld(int64_t cols) {
  const int64_t ld = (cols + 15) / 16 * 16;
  return ld * sizeof(float) % 4096 == 0 ? ld + 16 : ld;
}

// `dots(j0, j1)`: C's columns [j0, j1) for B stored [n][k] (each a dot product over k).
// `accumulate(k0, k1, j0, cols, sums, ld)`: sums[r][0..cols) += A[r][k0..k1) * B[k0..k1)[j0..j0+cols)
// for B stored [k][n], with row r of the sums at sums + r * ld.
template <class Dots, class Accumulate>
void partition(ThreadPool& pool, int64_t m, int64_t n, int64_t k, bool trans_b, float* c, Dots dots,
               Accumulate accumulate) {
  if (trans_b) {
    pool.parallel_for(n, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, k)), dots);
    return;
  }
  // B stored [k][n], streamed row by row. Its columns go in panels whose partial sums stay in
  // cache; with enough panels for every thread, each thread takes whole panels and sums into C.
  const int64_t acc_bytes = m == 1 ? kAccBytesOneRow : kAccBytesRows;
  const int64_t panel = std::min(n, std::max<int64_t>(256, acc_bytes / static_cast<int64_t>(sizeof(float)) / m / 16 * 16));
  const int64_t panels = (n + panel - 1) / panel;
  if (panels >= pool.num_threads()) {
    pool.parallel_for(panels, 1, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        const int64_t j0 = p * panel, cols = std::min(panel, n - j0);
        thread_local std::vector<float> acc;
        const int64_t ld = padded_ld(cols);
        if (acc.size() < static_cast<size_t>(m * ld)) acc.resize(static_cast<size_t>(m * ld));
        std::fill_n(acc.data(), m * ld, 0.0f);
        accumulate(0, k, j0, cols, acc.data(), ld);
        for (int64_t r = 0; r < m; ++r) std::copy_n(acc.data() + r * ld, cols, c + r * n + j0);
      }
    });
    return;
  }
  // Few panels (a narrow B): B's rows go in contiguous ranges, each summed into partial sums of
  // its own and added up at the end. More ranges than threads, claimed as threads come free: a
  // decode step's matrices take a fraction of a millisecond, and a static half each would leave
  // one thread waiting for a partner that woke late.
  const int64_t parts = std::clamp<int64_t>(
      std::min(k / 64, kMaxPartialBytes / static_cast<int64_t>(sizeof(float)) / (m * n)), 1,
      int64_t{pool.num_threads()} * 4);
  const int64_t ld = padded_ld(n), part_size = m * ld;
  thread_local std::vector<float> partials;
  if (partials.size() < static_cast<size_t>(parts * part_size)) partials.resize(static_cast<size_t>(parts * part_size));
  float* part = partials.data();
  pool.parallel_for(parts, 1, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const int64_t k0 = k * p / parts, k1 = k * (p + 1) / parts;
      float* sums = part + p * part_size;
      std::fill_n(sums, part_size, 0.0f);
      for (int64_t j0 = 0; j0 < n; j0 += panel) accumulate(k0, k1, j0, std::min(panel, n - j0), sums + j0, ld);
    }
  });
  for (int64_t r = 0; r < m; ++r) {
    float* out = c + r * n;
    std::copy_n(part + r * ld, n, out);
    for (int64_t p = 1; p < parts; ++p)
      for (int64_t j = 0; j < n; ++j) out[j] += part[p * part_size + r * ld + j];
  }
}

}  // namespace onnxgen::gemv
