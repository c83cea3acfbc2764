// ConvTranspose: the gradient of Conv with respect to its input, computed as a GEMM with the
// transposed weights (col = W^T x) followed by col2im, which scatters each column back onto
// the output through the same tap table a forward convolution over the output would use.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/compute_view.h"
#include "runtime/ops/cpu/small_gemm.h"
#include "runtime/ops/cpu/window_offsets.h"

namespace onnxgen {
namespace {

struct TransposeProblem {
  int64_t batch = 0, in_channels = 0, out_channels = 0, group = 1;
  // A forward window from the output (as its "input") to the input (as its "output").
  WindowGeometry window;
};

class ConvTranspose : public OpKernel {
 public:
  explicit ConvTranspose(const KernelInit& init)
      : attrs_(WindowAttrs::parse(init.attrs())),
        group_(init.attrs().get_int("group", 1)),
        output_padding_(init.attrs().get_ints("output_padding")),
        output_shape_(init.attrs().get_ints("output_shape")) {
    ONNXGEN_CHECK(group_ >= 1, "group is ", group_);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& w = ctx.required(1);
    const Tensor* b = ctx.input(2);
    ONNXGEN_CHECK(w.dtype() == x.dtype(), "weights are ", to_string(w.dtype()), ", input is ", to_string(x.dtype()));
    const TransposeProblem p = plan(x.shape(), w.shape());
    if (b)
      ONNXGEN_CHECK(b->dtype() == x.dtype() && b->rank() == 1 && b->dim(0) == p.out_channels, "bias must be ",
                    to_string(x.dtype()), "[", p.out_channels, "], got ", b->describe());
    Shape out_shape{p.batch, p.out_channels};
    out_shape.insert(out_shape.end(), p.window.input.begin(), p.window.input.end());
    Tensor& y = ctx.allocate(0, x.dtype(), out_shape);
    if (y.numel() == 0) return;
    with_compute_views(x, w, b, y, [&](const auto* xc, const auto* wc, const auto* bc, auto* yc) {
      run(ctx.pool(), p, xc, wc, bc, yc);
    });
  }

 private:
  TransposeProblem plan(const Shape& x, const Shape& w) const {
    ONNXGEN_CHECK(x.size() >= 3, "input must be [N, C, spatial...], got rank ", x.size());
    ONNXGEN_CHECK(w.size() == x.size(), "weights rank ", w.size(), " differs from input rank ", x.size());
    const size_t rank = x.size() - 2;
    TransposeProblem p;
    p.batch = x[0];
    p.in_channels = x[1];
    p.group = group_;
    ONNXGEN_CHECK(w[0] == p.in_channels, "weights are for ", w[0], " input channels, input has ", p.in_channels);
    ONNXGEN_CHECK(p.in_channels % group_ == 0, p.in_channels, " input channels do not split into ", group_, " groups");
    p.out_channels = w[1] * group_;
    const std::vector<int64_t> kernel = spatial_dims(w);
    ONNXGEN_CHECK(attrs_.kernel_shape.empty() || attrs_.kernel_shape == kernel,
                  "kernel_shape attribute disagrees with the weights");
    WindowGeometry& g = p.window;
    g.output = spatial_dims(x);
    g.kernel = kernel;
    g.stride = per_axis(attrs_.strides, rank, 1, "strides");
    g.dilation = per_axis(attrs_.dilations, rank, 1, "dilations");
    const std::vector<int64_t> extra = per_axis(output_padding_, rank, 0, "output_padding");
    std::vector<int64_t> pads = attrs_.pads.empty() ? std::vector<int64_t>(2 * rank, 0) : attrs_.pads;
    ONNXGEN_CHECK(pads.size() == 2 * rank, "pads has ", pads.size(), " values for ", rank, " spatial axes");
    ONNXGEN_CHECK(output_shape_.empty() || output_shape_.size() == rank || output_shape_.size() == rank + 2,
                  "output_shape has ", output_shape_.size(), " values for ", rank, " spatial axes");
    g.input.resize(rank);
    g.pad_begin.resize(rank);
    g.pad_end.resize(rank);
    for (size_t i = 0; i < rank; ++i) {
      ONNXGEN_CHECK(g.stride[i] > 0 && g.dilation[i] > 0 && kernel[i] > 0, "strides, dilations and kernel must be positive");
      const int64_t full = g.stride[i] * (g.output[i] - 1) + extra[i] + (kernel[i] - 1) * g.dilation[i] + 1;
      int64_t wanted = -1;
      if (!output_shape_.empty()) wanted = output_shape_[output_shape_.size() - rank + i];
      else if (attrs_.auto_pad == "SAME_UPPER" || attrs_.auto_pad == "SAME_LOWER") wanted = g.output[i] * g.stride[i];
      if (wanted >= 0) {
        const int64_t total = std::max<int64_t>(0, full - wanted);
        g.pad_begin[i] = attrs_.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
        // An output_shape beyond what the taps reach is filled with zeros at the end.
        g.pad_end[i] = total - g.pad_begin[i] - std::max<int64_t>(0, wanted - full);
      } else if (attrs_.auto_pad == "VALID") {
        g.pad_begin[i] = g.pad_end[i] = 0;
      } else {
        g.pad_begin[i] = pads[i];
        g.pad_end[i] = pads[rank + i];
      }
      g.input[i] = full - g.pad_begin[i] - g.pad_end[i];
      ONNXGEN_CHECK(g.input[i] >= 0, "pads exceed the output along axis ", i);
    }
    return p;
  }

  template <class C>
  static void run(ThreadPool& pool, const TransposeProblem& p, const C* x, const C* w, const C* bias, C* y) {
    const WindowGeometry& g = p.window;
    const int64_t in_plane = g.output_size(), out_plane = g.input_size(), taps = g.kernel_size();
    const int64_t cg = p.in_channels / p.group, mg = p.out_channels / p.group;
    const std::vector<int64_t> offsets = window_offsets(g);
    std::vector<C> col(static_cast<size_t>(mg * taps * in_plane));
    GemmArgs args;
    args.m = mg * taps;
    args.n = in_plane;
    args.k = cg;
    args.trans_a = true;
    args.lda = mg * taps;
    args.ldb = in_plane;
    args.ldc = in_plane;
    for (int64_t n = 0; n < p.batch; ++n)
      for (int64_t grp = 0; grp < p.group; ++grp) {
        small_gemm(pool, args, w + grp * cg * mg * taps, x + (n * p.in_channels + grp * cg) * in_plane, col.data());
        C* yg = y + (n * p.out_channels + grp * mg) * out_plane;
        pool.parallel_for(mg, 1, [&](int64_t begin, int64_t end) {
          for (int64_t m = begin; m < end; ++m) {
            C* dst = yg + m * out_plane;
            std::fill(dst, dst + out_plane, bias ? bias[grp * mg + m] : C(0));
            for (int64_t t = 0; t < taps; ++t) {
              const C* src = col.data() + (m * taps + t) * in_plane;
              const int64_t* off = offsets.data() + t * in_plane;
              for (int64_t q = 0; q < in_plane; ++q)
                if (off[q] >= 0) dst[off[q]] += src[q];
            }
          }
        });
      }
  }

  WindowAttrs attrs_;
  int64_t group_;
  std::vector<int64_t> output_padding_;
  std::vector<int64_t> output_shape_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "ConvTranspose", 1, ONNXGEN_LATEST, ConvTranspose);

}  // namespace onnxgen
