// Transpose. Decoders transpose K/V every step, so besides the generic strided copy (fine when
// the innermost axis stays innermost) there is a tiled path for when it moves: reading and
// writing in small square blocks keeps both sides in cache instead of striding one of them.
#include <numeric>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

constexpr int64_t kTile = 64;
constexpr int64_t kMicro = 8;

#if defined(__x86_64__)
// 8x8 transpose of 32-bit elements in registers: two unpack rounds and a lane swap. The values
// are only moved, never computed on, so any 4-byte type goes through the float shuffles intact.
__attribute__((target("avx2"))) void transpose8x8_avx2(const uint32_t* in, int64_t in_stride, uint32_t* out,
                                                       int64_t out_stride) {
  __m256 r[8], t[8];
  for (int k = 0; k < 8; ++k) r[k] = _mm256_loadu_ps(reinterpret_cast<const float*>(in + k * in_stride));
  for (int k = 0; k < 8; k += 2) {
    t[k] = _mm256_unpacklo_ps(r[k], r[k + 1]);
    t[k + 1] = _mm256_unpackhi_ps(r[k], r[k + 1]);
  }
  for (int k = 0; k < 8; k += 4) {
    r[k] = _mm256_shuffle_ps(t[k], t[k + 2], _MM_SHUFFLE(1, 0, 1, 0));
    r[k + 1] = _mm256_shuffle_ps(t[k], t[k + 2], _MM_SHUFFLE(3, 2, 3, 2));
    r[k + 2] = _mm256_shuffle_ps(t[k + 1], t[k + 3], _MM_SHUFFLE(1, 0, 1, 0));
    r[k + 3] = _mm256_shuffle_ps(t[k + 1], t[k + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int k = 0; k < 4; ++k) {
    _mm256_storeu_ps(reinterpret_cast<float*>(out + k * out_stride), _mm256_permute2f128_ps(r[k], r[k + 4], 0x20));
    _mm256_storeu_ps(reinterpret_cast<float*>(out + (k + 4) * out_stride),
                     _mm256_permute2f128_ps(r[k], r[k + 4], 0x31));
  }
}

const bool kHasAvx2 = __builtin_cpu_supports("avx2");
#endif

// out[i * out_stride + j] = in[j * in_stride + i] for i < rows, j < cols.
template <class T>
void transpose_block(const T* in, int64_t in_stride, T* out, int64_t out_stride, int64_t rows, int64_t cols) {
#if defined(__x86_64__)
  if constexpr (std::is_same_v<T, uint32_t>) {
    if (kHasAvx2 && rows == kMicro && cols == kMicro) {
      transpose8x8_avx2(in, in_stride, out, out_stride);
      return;
    }
  }
#endif
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) out[i * out_stride + j] = in[j * in_stride + i];
}

// `v` is coalesced, its last dim is not source-contiguous and dim `k` is. Each task copies one
// kTile x kTile block of the (k, last) plane for one index of the remaining dims.
template <class T>
void tiled_transpose(const T* src, T* dst, const StridedView& v, size_t k, ThreadPool& pool) {
  const size_t r = v.shape.size();
  const Shape out_strides = strides_of(v.shape);
  const int64_t rows = v.shape[k], cols = v.shape[r - 1];
  const int64_t col_stride = v.strides[r - 1], row_out_stride = out_strides[k];
  const int64_t row_tiles = (rows + kTile - 1) / kTile, col_tiles = (cols + kTile - 1) / kTile;
  const int64_t planes = num_elements(v.shape) / (rows * cols);
  pool.parallel_for(planes * row_tiles * col_tiles, 16, [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      int64_t plane = task / (row_tiles * col_tiles);
      const int64_t tile = task % (row_tiles * col_tiles);
      const int64_t r0 = tile / col_tiles * kTile, c0 = tile % col_tiles * kTile;
      int64_t s = v.offset, o = 0;
      for (size_t d = r - 1; d-- > 0;) {
        if (d == k) continue;
        const int64_t i = plane % v.shape[d];
        plane /= v.shape[d];
        s += i * v.strides[d];
        o += i * out_strides[d];
      }
      const int64_t r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
      for (int64_t i = r0; i < r1; i += kMicro)
        for (int64_t j = c0; j < c1; j += kMicro)
          transpose_block(src + s + i + j * col_stride, col_stride, dst + o + i * row_out_stride + j, row_out_stride,
                          std::min(kMicro, r1 - i), std::min(kMicro, c1 - j));
    }
  });
}

class Transpose : public OpKernel {
 public:
  explicit Transpose(const KernelInit& init) : perm_(init.attrs().find_ints("perm")) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const size_t rank = x.rank();
    std::vector<int64_t> perm(rank);
    if (perm_) {
      perm = *perm_;
      ONNXGEN_CHECK(perm.size() == rank, "Transpose: perm has ", perm.size(), " entries for rank ", rank);
      std::vector<bool> seen(rank, false);
      for (int64_t p : perm) {
        ONNXGEN_CHECK(p >= 0 && p < static_cast<int64_t>(rank), "Transpose: perm entry ", p, " is out of range");
        ONNXGEN_CHECK(!seen[p], "Transpose: perm repeats axis ", p);
        seen[p] = true;
      }
    } else {
      std::iota(perm.rbegin(), perm.rend(), 0);
    }
    const Shape in_strides = strides_of(x.shape());
    StridedView view;
    for (int64_t p : perm) {
      view.shape.push_back(x.dim(p));
      view.strides.push_back(in_strides[p]);
    }
    Tensor& y = ctx.allocate(0, x.dtype(), view.shape);
    if (y.numel() == 0) return;
    const StridedView v = coalesce(view);
    size_t k = v.shape.size();
    for (size_t d = 0; d + 1 < v.shape.size(); ++d)
      if (v.strides[d] == 1) k = d;
    if (k == v.shape.size()) {
      strided_copy(x, y, v, ctx.pool());
      return;
    }
    dispatch_by_size(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      tiled_transpose(elements_of<T>(x), mutable_elements_of<T>(y), v, k, ctx.pool());
    });
  }

 private:
  std::optional<std::vector<int64_t>> perm_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Transpose", 1, ONNXGEN_LATEST, Transpose);

}  // namespace onnxgen
