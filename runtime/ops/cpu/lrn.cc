// LRN (local response normalisation across channels): each element is divided by
// (bias + alpha / size * sum of squares over a window of `size` neighbouring channels) ^ beta.
#include <cmath>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/reduce_axes.h"

namespace onnxgen {
namespace {

class LRN : public OpKernel {
 public:
  explicit LRN(const KernelInit& init)
      : size_(init.attrs().get_int("size")),
        alpha_(init.attrs().get_float("alpha", 1e-4f)),
        beta_(init.attrs().get_float("beta", 0.75f)),
        bias_(init.attrs().get_float("bias", 1.0f)) {
    ONNXGEN_CHECK(size_ > 0, "LRN size must be positive, got ", size_);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.rank() >= 2, "input must be [N, C, ...], got ", x.describe());
    const int64_t channels = x.dim(1), spatial = dims_product(x.shape(), 2, x.rank());
    // The window covers floor((size-1)/2) channels below and ceil((size-1)/2) above.
    const int64_t below = (size_ - 1) / 2, above = size_ - 1 - below;
    Tensor& y = ctx.allocate(0, x.dtype(), x.shape());
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      const C scale = static_cast<C>(alpha_) / static_cast<C>(size_);
      ctx.pool().parallel_for(x.dim(0) * channels, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, spatial * size_)),
                              [&](int64_t b, int64_t e) {
                                for (int64_t nc = b; nc < e; ++nc) {
                                  const int64_t n = nc / channels, c = nc % channels;
                                  const int64_t lo = std::max<int64_t>(0, c - below), hi = std::min(channels - 1, c + above);
                                  for (int64_t s = 0; s < spatial; ++s) {
                                    C sq = 0;
                                    for (int64_t k = lo; k <= hi; ++k) {
                                      const C v = static_cast<C>(src[(n * channels + k) * spatial + s]);
                                      sq += v * v;
                                    }
                                    const int64_t i = nc * spatial + s;
                                    dst[i] = static_cast<T>(static_cast<C>(src[i]) /
                                                            std::pow(static_cast<C>(bias_) + scale * sq, static_cast<C>(beta_)));
                                  }
                                }
                              });
    });
  }

 private:
  int64_t size_;
  float alpha_, beta_, bias_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "LRN", 1, ONNXGEN_LATEST, LRN);

}  // namespace onnxgen
