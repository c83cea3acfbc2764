// MaxUnpool: scatters pooled values back to the flat positions MaxPool's Indices recorded,
// zeros elsewhere.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/conv_geometry.h"

namespace onnxgen {
namespace {

class MaxUnpool : public OpKernel {
 public:
  explicit MaxUnpool(const KernelInit& init) : attrs_(WindowAttrs::parse(init.attrs())) {
    ONNXGEN_CHECK(!attrs_.kernel_shape.empty(), "kernel_shape is required");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& indices = ctx.required(1);
    ONNXGEN_CHECK(x.rank() >= 3, "X must be [N, C, spatial...], got ", x.describe());
    ONNXGEN_CHECK(indices.dtype() == DataType::kInt64 && indices.shape() == x.shape(),
                  "I must be int64 shaped like X, got ", indices.describe());
    const size_t rank = x.rank() - 2;
    ONNXGEN_CHECK(attrs_.kernel_shape.size() == rank, "kernel_shape has ", attrs_.kernel_shape.size(), " dims for ",
                  rank, " spatial axes");
    const std::vector<int64_t> strides = per_axis(attrs_.strides, rank, 1, "strides");
    const std::vector<int64_t> pads = attrs_.pads.empty() ? std::vector<int64_t>(2 * rank, 0) : attrs_.pads;
    ONNXGEN_CHECK(pads.size() == 2 * rank, "pads has ", pads.size(), " values for ", rank, " spatial axes");
    // Indices address the unpooled shape the attributes imply; an explicit output_shape only
    // places that grid into a larger (or differently padded) output.
    Shape natural{x.dim(0), x.dim(1)};
    for (size_t i = 0; i < rank; ++i)
      natural.push_back((x.dim(i + 2) - 1) * strides[i] + attrs_.kernel_shape[i] - pads[i] - pads[rank + i]);
    Shape out = natural;
    if (const Tensor* shape = ctx.input(2)) {
      out = shape->to_shape();
      ONNXGEN_CHECK(out.size() == x.rank() && out[0] == x.dim(0) && out[1] == x.dim(1),
                    "output_shape ", to_string(out), " does not fit X ", x.describe());
    }
    const Shape out_strides = strides_of(out);
    const int64_t natural_size = num_elements(natural);
    auto place = [&](int64_t flat) {
      ONNXGEN_CHECK(flat >= 0 && flat < natural_size, "index ", flat, " outside the unpooled ", to_string(natural));
      int64_t pos = 0;
      for (size_t d = natural.size(); d-- > 0;) {
        const int64_t coord = flat % natural[d];
        flat /= natural[d];
        ONNXGEN_CHECK(coord < out[d], "index lands outside output_shape ", to_string(out));
        pos += coord * out_strides[d];
      }
      return pos;
    };
    Tensor& y = ctx.allocate(0, x.dtype(), out);
    dispatch_numeric(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* dst = y.data<T>();
      std::fill(dst, dst + y.numel(), T(0));
      const T* src = x.data<T>();
      const int64_t* idx = indices.data<int64_t>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        dst[place(idx[i])] = src[i];
      }
    });
  }

 private:
  WindowAttrs attrs_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "MaxUnpool", 9, ONNXGEN_LATEST, MaxUnpool);

}  // namespace onnxgen
