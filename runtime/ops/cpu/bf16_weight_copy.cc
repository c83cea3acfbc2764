#include "runtime/ops/cpu/bf16_weight_copy.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "runtime/core/error.h"
#include "runtime/core/huge_page_arena.h"
#include "runtime/ops/cpu/half_convert.h"
#include "runtime/ops/cpu/mapped_weights.h"

namespace onnxgen {
namespace {

// Cast in slabs of source rows, so that at most one slab of the float32 source is resident beside
// the copy, and within a slab in square tiles, which transpose in cache.
constexpr int64_t kCastTile = 64;

}  // namespace

Bf16WeightCopy::Bf16WeightCopy(ThreadPool& pool, const Tensor& w, bool n_by_k)
    : source_(w.data<float>()), n_by_k_(n_by_k) {
  ONNXGEN_CHECK(w.dtype() == DataType::kFloat && w.rank() == 2, "bfloat16 weights are cast from float32 [K, N], got ",
                w.describe());
  k_ = w.dim(n_by_k ? 1 : 0);
  n_ = w.dim(n_by_k ? 0 : 1);
  data_ = {static_cast<BFloat16*>(huge_page_arena::allocate(static_cast<size_t>(std::max<int64_t>(k_ * n_, 1)) * 2)),
           huge_page_arena::free};
  BFloat16* dst = data_.get();
  const float* src = source_;
  const int64_t k = k_, n = n_;
  const bool release = is_mapped_initializer(w);
  if (n_by_k) {
    for (int64_t j0 = 0; j0 < n; j0 += kCastTile) {
      const int64_t j1 = std::min(n, j0 + kCastTile);
      pool.parallel_for((j1 - j0) * k, 1 << 14, [&](int64_t begin, int64_t end) {
        for (int64_t i = j0 * k + begin; i < j0 * k + end; ++i) dst[i] = float_to_bfloat16(src[i]);
      });
      if (release) release_mapped_pages(src + j0 * k, static_cast<size_t>((j1 - j0) * k) * sizeof(float));
    }
    return;
  }
  for (int64_t k0 = 0; k0 < k; k0 += kCastTile) {
    const int64_t k1 = std::min(k, k0 + kCastTile);
    pool.parallel_for((n + kCastTile - 1) / kCastTile, 1, [&](int64_t begin, int64_t end) {
      for (int64_t j0 = begin * kCastTile; j0 < std::min(n, end * kCastTile); j0 += kCastTile)
        for (int64_t j = j0; j < std::min(n, j0 + kCastTile); ++j)
          for (int64_t kk = k0; kk < k1; ++kk) dst[j * k + kk] = float_to_bfloat16(src[kk * n + j]);
    });
    if (release) release_mapped_pages(src + k0 * n, static_cast<size_t>((k1 - k0) * n) * sizeof(float));
  }
}

std::shared_ptr<const Bf16WeightCopy> Bf16WeightCopy::of(ThreadPool& pool, const Tensor& w, bool n_by_k) {
  static std::mutex mu;
  static std::map<std::pair<const float*, bool>, std::weak_ptr<const Bf16WeightCopy>> copies;
  std::lock_guard<std::mutex> lock(mu);
  std::erase_if(copies, [](const auto& entry) { return entry.second.expired(); });
  auto& slot = copies[{w.data<float>(), n_by_k}];
  if (auto held = slot.lock()) {
    ONNXGEN_CHECK(held->k() * held->n() == w.numel(), "a bfloat16 weight copy of ", held->k(), "x", held->n(),
                  " is asked for as ", w.describe());
    return held;
  }
  auto made = std::make_shared<const Bf16WeightCopy>(pool, w, n_by_k);
  slot = made;
  return made;
}

const Bf16WeightCopy& Bf16WeightInput::get(ThreadPool& pool, const Tensor& w, bool n_by_k) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!copy_ || copy_->source() != w.data<float>() || copy_->n_by_k() != n_by_k)
    copy_ = Bf16WeightCopy::of(pool, w, n_by_k);
  return *copy_;
}

}  // namespace onnxgen
