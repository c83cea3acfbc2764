// Transpose, Slice, Split and Concat on CUDA: each is one strided copy per output (or input).
#include <algorithm>
#include <numeric>

#include "runtime/ops/cuda/cuda_kernel.h"

namespace onnxgen {
namespace {

int64_t elem_bytes(const Tensor& t) {
  ONNXGEN_CHECK(t.dtype() != DataType::kString, "string tensors cannot be on cuda");
  return static_cast<int64_t>(element_size(t.dtype()));
}

class Transpose : public OpKernel {
 public:
  explicit Transpose(const KernelInit& init) : perm_(init.attrs().get_ints("perm")) {}
  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    std::vector<int64_t> perm = perm_;
    if (perm.empty()) {
      perm.resize(x.rank());
      std::iota(perm.rbegin(), perm.rend(), 0);
    }
    ONNXGEN_CHECK(perm.size() == x.rank(), "Transpose perm has ", perm.size(), " entries for ", x.describe());
    const Shape in_strides = strides_of(x.shape());
    Shape out_shape(x.rank());
    for (size_t d = 0; d < perm.size(); ++d) out_shape[d] = x.dim(static_cast<size_t>(normalize_axis(perm[d], x.rank())));
    Tensor& y = ctx.allocate(0, x.dtype(), out_shape);
    cuda::StridedDims src = dense_view(out_shape);
    for (size_t d = 0; d < perm.size(); ++d) src.strides[d] = in_strides[static_cast<size_t>(normalize_axis(perm[d], x.rank()))];
    cuda::strided_copy(x.raw(), src, 0, y.raw(), dense_view(out_shape), 0, elem_bytes(x), stream_of(ctx));
  }

 private:
  std::vector<int64_t> perm_;
};

class Slice : public OpKernel {
 public:
  explicit Slice(const KernelInit&) {}
  bool host_input(size_t i) const override { return i >= 1; }
  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const auto rank = static_cast<int64_t>(x.rank());
    const std::vector<int64_t> starts = ctx.required(1).to_int64_vector(), ends = ctx.required(2).to_int64_vector();
    std::vector<int64_t> axes(starts.size()), steps(starts.size(), 1);
    std::iota(axes.begin(), axes.end(), 0);
    if (ctx.input(3)) axes = ctx.input(3)->to_int64_vector();
    if (ctx.input(4)) steps = ctx.input(4)->to_int64_vector();
    ONNXGEN_CHECK(ends.size() == starts.size() && axes.size() == starts.size() && steps.size() == starts.size(),
                  "Slice starts, ends, axes and steps must have the same length");
    Shape out_shape = x.shape();
    const Shape strides = strides_of(x.shape());
    cuda::StridedDims src = dense_view(x.shape());
    int64_t offset = 0;
    for (size_t i = 0; i < starts.size(); ++i) {
      const auto a = static_cast<size_t>(normalize_axis(axes[i], rank));
      const int64_t dim = x.dim(a), step = steps[i];
      ONNXGEN_CHECK(step != 0, "Slice step must not be 0");
      auto clamp = [&](int64_t v, int64_t lo, int64_t hi) { return std::clamp(v < 0 ? v + dim : v, lo, hi); };
      const int64_t start = step > 0 ? clamp(starts[i], 0, dim) : clamp(starts[i], 0, dim - 1);
      const int64_t end = step > 0 ? clamp(ends[i], 0, dim) : clamp(ends[i], -1, dim - 1);
      const int64_t count = step > 0 ? std::max<int64_t>(0, (end - start + step - 1) / step)
                                     : std::max<int64_t>(0, (start - end - step - 1) / -step);
      out_shape[a] = count;
      offset += (count ? start : 0) * strides[a];
      src.strides[a] = strides[a] * step;
    }
    for (size_t d = 0; d < out_shape.size(); ++d) src.dims[d] = out_shape[d];
    Tensor& y = ctx.allocate(0, x.dtype(), out_shape);
    cuda::strided_copy(x.raw(), src, offset, y.raw(), dense_view(out_shape), 0, elem_bytes(x), stream_of(ctx));
  }
};

class Split : public OpKernel {
 public:
  explicit Split(const KernelInit& init)
      : axis_(init.attrs().get_int("axis", 0)), split_(init.attrs().get_ints("split")),
        num_outputs_(init.attrs().get_int("num_outputs", 0)) {}
  bool host_input(size_t i) const override { return i == 1; }
  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const int64_t axis = normalize_axis(axis_, static_cast<int64_t>(x.rank()));
    const int64_t dim = x.dim(static_cast<size_t>(axis));
    std::vector<int64_t> sizes = ctx.input(1) ? ctx.input(1)->to_int64_vector() : split_;
    const auto outputs = static_cast<int64_t>(ctx.num_outputs());
    if (sizes.empty()) {
      const int64_t n = num_outputs_ ? num_outputs_ : outputs;
      const int64_t chunk = (dim + n - 1) / n;
      for (int64_t i = 0; i < n; ++i) sizes.push_back(std::min(chunk, dim - i * chunk));
    }
    ONNXGEN_CHECK(static_cast<int64_t>(sizes.size()) == outputs &&
                      std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) == dim,
                  "Split sizes do not cover axis ", axis, " of ", x.describe(), " in ", outputs, " outputs");
    const int64_t axis_stride = strides_of(x.shape())[static_cast<size_t>(axis)];
    int64_t at = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      Shape out_shape = x.shape();
      out_shape[static_cast<size_t>(axis)] = sizes[i];
      if (ctx.output_wanted(i)) {
        cuda::StridedDims src = dense_view(out_shape);
        const Shape strides = strides_of(x.shape());
        std::copy(strides.begin(), strides.end(), src.strides);
        Tensor& y = ctx.allocate(i, x.dtype(), out_shape);
        cuda::strided_copy(x.raw(), src, at * axis_stride, y.raw(), dense_view(out_shape), 0, elem_bytes(x),
                           stream_of(ctx));
      }
      at += sizes[i];
    }
  }

 private:
  int64_t axis_;
  std::vector<int64_t> split_;
  int64_t num_outputs_;
};

class Concat : public OpKernel {
 public:
  explicit Concat(const KernelInit& init) : axis_(init.attrs().get_int("axis")) {}
  void compute(KernelContext& ctx) override {
    const Tensor& first = ctx.required(0);
    const int64_t axis = normalize_axis(axis_, static_cast<int64_t>(first.rank()));
    Shape out_shape = first.shape();
    out_shape[static_cast<size_t>(axis)] = 0;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& t = ctx.required(i);
      ONNXGEN_CHECK(t.dtype() == first.dtype() && t.rank() == first.rank(), "Concat inputs must share type and rank, got ",
                    first.describe(), " and ", t.describe());
      for (size_t d = 0; d < t.rank(); ++d)
        ONNXGEN_CHECK(static_cast<int64_t>(d) == axis || t.dim(d) == first.dim(d), "Concat input ", t.describe(),
                      " does not match ", first.describe(), " off axis ", axis);
      out_shape[static_cast<size_t>(axis)] += t.dim(static_cast<size_t>(axis));
    }
    Tensor& y = ctx.allocate(0, first.dtype(), out_shape);
    const Shape out_strides = strides_of(out_shape);
    int64_t at = 0;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& t = ctx.required(i);
      cuda::StridedDims dst = dense_view(t.shape());
      std::copy(out_strides.begin(), out_strides.end(), dst.strides);
      cuda::strided_copy(t.raw(), dense_view(t.shape()), 0, y.raw(), dst, at * out_strides[static_cast<size_t>(axis)],
                         elem_bytes(t), stream_of(ctx));
      at += t.dim(static_cast<size_t>(axis));
    }
  }

 private:
  int64_t axis_;
};

}  // namespace

ONNXGEN_REGISTER_CUDA_KERNEL("", "Transpose", 1, ONNXGEN_LATEST, Transpose);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Slice", 10, ONNXGEN_LATEST, Slice);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Split", 2, ONNXGEN_LATEST, Split);
ONNXGEN_REGISTER_CUDA_KERNEL("", "Concat", 4, ONNXGEN_LATEST, Concat);

}  // namespace onnxgen
