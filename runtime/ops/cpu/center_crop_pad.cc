// CenterCropPad (opset 18): each listed axis is cropped or zero-padded to the requested size,
// keeping the centre (the odd element goes to the end).
#include <cstring>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class CenterCropPad : public OpKernel {
 public:
  explicit CenterCropPad(const KernelInit& init) : axes_(init.attrs().find_ints("axes")) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const std::vector<int64_t> sizes = ctx.required(1).to_int64_vector();
    ONNXGEN_CHECK(x.dtype() != DataType::kString, "string tensors are not supported");
    ONNXGEN_CHECK(x.rank() >= 1, "input must have rank >= 1, got ", x.describe());
    const int64_t rank = static_cast<int64_t>(x.rank());
    std::vector<int64_t> axes;
    if (axes_)
      for (int64_t a : *axes_) axes.push_back(normalize_axis(a, rank));
    else
      for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
    ONNXGEN_CHECK(sizes.size() == axes.size(), "shape has ", sizes.size(), " values for ", axes.size(), " axes");
    // Per axis: the output size, where the kept box starts in the input and in the output, its length.
    Shape out_shape = x.shape();
    std::vector<int64_t> src_begin(rank, 0), dst_begin(rank, 0), len(x.shape());
    for (size_t i = 0; i < axes.size(); ++i) {
      const int64_t a = axes[i], dim = x.dim(a), want = sizes[i];
      ONNXGEN_CHECK(want >= 0, "negative target size ", want);
      out_shape[a] = want;
      len[a] = std::min(dim, want);
      (want < dim ? src_begin : dst_begin)[a] = std::abs(dim - want) / 2;
    }
    Tensor& y = ctx.allocate(0, x.dtype(), out_shape);
    std::memset(y.raw(), 0, y.bytes());
    if (y.numel() == 0 || x.numel() == 0) return;
    const size_t elem = element_size(x.dtype());
    const Shape in_strides = strides_of(x.shape()), out_strides = strides_of(out_shape);
    // Walks every position of the box but the last axis, copying one contiguous row at a time.
    const auto* src = static_cast<const char*>(x.raw());
    auto* dst = static_cast<char*>(y.raw());
    std::vector<int64_t> index(rank, 0);
    const int64_t last = rank - 1;
    while (true) {
      int64_t in_off = 0, out_off = 0;
      for (int64_t d = 0; d < rank; ++d) {
        in_off += (src_begin[d] + index[d]) * in_strides[d];
        out_off += (dst_begin[d] + index[d]) * out_strides[d];
      }
      std::memcpy(dst + out_off * elem, src + in_off * elem, static_cast<size_t>(len[last]) * elem);
      int64_t d = last - 1;
      while (d >= 0 && ++index[d] == len[d]) index[d--] = 0;
      if (d < 0) break;
    }
  }

 private:
  std::optional<std::vector<int64_t>> axes_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "CenterCropPad", 18, ONNXGEN_LATEST, CenterCropPad);

}  // namespace onnxgen
