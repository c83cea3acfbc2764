// Transpose. Decoders transpose K/V every step, so besides the generic strided copy (fine when
// the innermost axis stays innermost) there is a tiled path for when it moves: reading and
// writing in small square blocks keeps both sides in cache instead of striding one of them.
#include <numeric>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

constexpr int64_t kTile = 16;

// `v` is coalesced, its last dim is not source-contiguous and dim `k` is. Each task copies one
// kTile x kTile block of the (k, last) plane for one index of the remaining dims.
template <class T>
void tiled_transpose(const T* src, T* dst, const StridedView& v, size_t k, ThreadPool& pool) {
  const size_t r = v.shape.size();
  const std::vector<int64_t> out_strides = strides_of(v.shape);
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
      for (int64_t i = r0; i < r1; ++i) {
        const T* in = src + s + i;
        T* out = dst + o + i * row_out_stride;
        for (int64_t j = c0; j < c1; ++j) out[j] = in[j * col_stride];
      }
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
    const std::vector<int64_t> in_strides = strides_of(x.shape());
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
