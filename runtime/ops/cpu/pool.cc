// Windowed pools (MaxPool with Indices, AveragePool, LpPool) and their global forms. Every
// pool walks the same precomputed tap table, one [N, C] plane per unit of parallel work.
#include <cmath>
#include <limits>
#include <type_traits>

#include "runtime/core/simd.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/window_offsets.h"

namespace onnxgen {
namespace {

struct PoolPlan {
  WindowGeometry g;
  int64_t planes = 0;  // N * C
  std::vector<int64_t> taps;  // window_offsets(g)
  Shape output_shape;
};

PoolPlan plan_pool(const WindowAttrs& attrs, const Tensor& x, bool with_taps = true) {
  ONNXGEN_CHECK(x.rank() >= 3, "input must be [N, C, spatial...], got ", x.describe());
  ONNXGEN_CHECK(!attrs.kernel_shape.empty(), "kernel_shape is required");
  PoolPlan plan;
  plan.g = resolve_window(attrs, spatial_dims(x.shape()), attrs.kernel_shape);
  plan.planes = x.dim(0) * x.dim(1);
  if (with_taps) plan.taps = window_offsets(plan.g);
  plan.output_shape = {x.dim(0), x.dim(1)};
  plan.output_shape.insert(plan.output_shape.end(), plan.g.output.begin(), plan.g.output.end());
  return plan;
}

// Runs fn(plane) over the [N, C] planes in parallel.
template <class F>
void for_each_plane(ThreadPool& pool, int64_t planes, int64_t work_per_plane, F&& fn) {
  const int64_t grain = std::max<int64_t>(1, (1 << 14) / std::max<int64_t>(1, work_per_plane));
  pool.parallel_for(planes, grain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) fn(i);
  });
}

// Flat index of a row-major plane offset when the plane is stored column-major.
int64_t column_major_index(int64_t offset, const std::vector<int64_t>& dims) {
  int64_t index = 0, stride = 1;
  std::vector<int64_t> coords(dims.size());
  for (size_t i = dims.size(); i-- > 0;) {
    coords[i] = offset % dims[i];
    offset /= dims[i];
  }
  for (size_t i = 0; i < dims.size(); ++i) {
    index += coords[i] * stride;
    stride *= dims[i];
  }
  return index;
}

// out[i] = max(out[i], in[i * stride + j * dilation]) over j < k for i < n, every tap inside `in`.
// Strides 1 and 2 (nearly every vision pool) get loops the compiler vectorises.
template <int64_t kStride>
inline void window_row_max_strided(const float* in, float* out, int64_t n, int64_t stride, int64_t k, int64_t dilation) {
  const int64_t s = kStride > 0 ? kStride : stride;
  for (int64_t j = 0; j < k; ++j) {
    const float* p = in + j * dilation;
    for (int64_t i = 0; i < n; ++i) out[i] = std::max(out[i], p[i * s]);
  }
}

ONNXGEN_SIMD_CLONES void window_row_max(const float* in, float* out, int64_t n, int64_t stride, int64_t k,
                                        int64_t dilation) {
  if (stride == 1) window_row_max_strided<1>(in, out, n, stride, k, dilation);
  else if (stride == 2) window_row_max_strided<2>(in, out, n, stride, k, dilation);
  else window_row_max_strided<0>(in, out, n, stride, k, dilation);
}

template <class T>
void window_row_max(const T* in, T* out, int64_t n, int64_t stride, int64_t k, int64_t dilation) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j) out[i] = std::max(out[i], in[i * stride + j * dilation]);
}

// One [H, W] plane of a 2-D MaxPool without the tap table: each kept input row is read
// contiguously into the output row's running maxima; the columns whose windows lie inside the
// row take a loop without bounds checks. Vision models' pools take this path.
template <class T>
void max_pool_plane_2d(const T* in, T* out, const WindowGeometry& g) {
  const int64_t h_in = g.input[0], w_in = g.input[1], h_out = g.output[0], w_out = g.output[1];
  const int64_t stride = g.stride[1], pad = g.pad_begin[1], k = g.kernel[1], dil = g.dilation[1];
  // Output columns [lo, hi) read only columns inside the input.
  const int64_t lo = std::min(w_out, (pad + stride - 1) / stride);
  const int64_t last_tap = (k - 1) * dil;
  const int64_t hi = std::max(lo, std::min(w_out, w_in - 1 - last_tap + pad < 0 ? 0 : (w_in - 1 - last_tap + pad) / stride + 1));
  for (int64_t oh = 0; oh < h_out; ++oh) {
    T* row = out + oh * w_out;
    std::fill(row, row + w_out, std::numeric_limits<T>::lowest());
    for (int64_t kh = 0; kh < g.kernel[0]; ++kh) {
      const int64_t h = oh * g.stride[0] - g.pad_begin[0] + kh * g.dilation[0];
      if (h < 0 || h >= h_in) continue;
      const T* irow = in + h * w_in;
      auto edge = [&](int64_t ow) {
        const int64_t w0 = ow * stride - pad;
        T best = row[ow];
        for (int64_t kw = 0; kw < k; ++kw) {
          const int64_t w = w0 + kw * dil;
          if (w >= 0 && w < w_in && irow[w] > best) best = irow[w];
        }
        row[ow] = best;
      };
      for (int64_t ow = 0; ow < lo; ++ow) edge(ow);
      if (hi > lo) window_row_max(irow + lo * stride - pad, row + lo, hi - lo, stride, k, dil);
      for (int64_t ow = hi; ow < w_out; ++ow) edge(ow);
    }
  }
}

class MaxPool : public OpKernel {
 public:
  explicit MaxPool(const KernelInit& init)
      : attrs_(WindowAttrs::parse(init.attrs())), storage_order_(init.attrs().get_int("storage_order", 0)) {
    ONNXGEN_CHECK(storage_order_ == 0 || storage_order_ == 1, "storage_order must be 0 or 1, got ", storage_order_);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    // 2-D pools without indices in a type compared as itself walk rows instead of the tap table.
    const bool by_rows = x.rank() == 4 && !ctx.output_wanted(1) && x.dtype() != DataType::kFloat16 &&
                         x.dtype() != DataType::kBFloat16;
    const PoolPlan plan = plan_pool(attrs_, x, !by_rows);
    Tensor& y = ctx.allocate(0, x.dtype(), plan.output_shape);
    int64_t* indices = ctx.output_wanted(1) ? ctx.allocate(1, DataType::kInt64, plan.output_shape).data<int64_t>()
                                            : nullptr;
    const int64_t in_plane = plan.g.input_size(), out_plane = plan.g.output_size(), k = plan.g.kernel_size();
    dispatch_numeric(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      if constexpr (std::is_same_v<T, C>) {
        if (by_rows) {
          for_each_plane(ctx.pool(), plan.planes, out_plane * k, [&](int64_t plane) {
            max_pool_plane_2d(src + plane * in_plane, dst + plane * out_plane, plan.g);
          });
          return;
        }
      }
      for_each_plane(ctx.pool(), plan.planes, out_plane * k, [&](int64_t plane) {
        const T* in = src + plane * in_plane;
        for (int64_t q = 0; q < out_plane; ++q) {
          C best = std::numeric_limits<C>::lowest();
          int64_t arg = -1;
          for (int64_t t = 0; t < k; ++t) {
            const int64_t off = plan.taps[t * out_plane + q];
            if (off >= 0 && (arg < 0 || C(in[off]) > best)) {
              best = C(in[off]);
              arg = off;
            }
          }
          dst[plane * out_plane + q] = T(best);
          if (indices) {
            const int64_t local = arg < 0 ? 0 : storage_order_ ? column_major_index(arg, plan.g.input) : arg;
            indices[plane * out_plane + q] = plane * in_plane + local;
          }
        }
      });
    });
  }

 private:
  WindowAttrs attrs_;
  int64_t storage_order_;
};

// Taps per output position that lie inside the input or its explicit padding: the divisor of
// AveragePool with count_include_pad (taps beyond the padding, from ceil_mode, never count).
std::vector<int64_t> padded_tap_counts(const WindowGeometry& g) {
  std::vector<int64_t> counts{1};
  for (size_t axis = 0; axis < g.rank(); ++axis) {
    const int64_t on = g.output[axis];
    std::vector<int64_t> next(counts.size() * static_cast<size_t>(on));
    for (int64_t oi = 0; oi < on; ++oi) {
      int64_t n = 0;
      for (int64_t ki = 0; ki < g.kernel[axis]; ++ki) {
        const int64_t c = oi * g.stride[axis] - g.pad_begin[axis] + ki * g.dilation[axis];
        n += c >= -g.pad_begin[axis] && c < g.input[axis] + g.pad_end[axis];
      }
      for (size_t pp = 0; pp < counts.size(); ++pp) next[pp * on + oi] = counts[pp] * n;
    }
    counts = std::move(next);
  }
  return counts;
}

// Sums f(x) over each window's in-bounds taps, then finish(sum, taps in bounds, position).
template <class Finish, class Map>
void reduce_windows(KernelContext& ctx, const Tensor& x, const PoolPlan& plan, Tensor& y, Map map, Finish finish) {
  const int64_t in_plane = plan.g.input_size(), out_plane = plan.g.output_size(), k = plan.g.kernel_size();
  dispatch_float(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using C = compute_t<T>;
    const T* src = x.data<T>();
    T* dst = y.data<T>();
    for_each_plane(ctx.pool(), plan.planes, out_plane * k, [&](int64_t plane) {
      const T* in = src + plane * in_plane;
      for (int64_t q = 0; q < out_plane; ++q) {
        C sum = 0;
        int64_t valid = 0;
        for (int64_t t = 0; t < k; ++t) {
          const int64_t off = plan.taps[t * out_plane + q];
          if (off < 0) continue;
          sum += map(C(in[off]));
          ++valid;
        }
        dst[plane * out_plane + q] = T(finish(sum, valid, q));
      }
    });
  });
}

class AveragePool : public OpKernel {
 public:
  explicit AveragePool(const KernelInit& init)
      : attrs_(WindowAttrs::parse(init.attrs())),
        count_include_pad_(init.attrs().get_int("count_include_pad", 0) != 0) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const PoolPlan plan = plan_pool(attrs_, x);
    Tensor& y = ctx.allocate(0, x.dtype(), plan.output_shape);
    std::vector<int64_t> divisors;
    if (count_include_pad_) divisors = padded_tap_counts(plan.g);
    reduce_windows(
        ctx, x, plan, y, [](auto v) { return v; },
        [&](auto sum, int64_t valid, int64_t q) {
          const int64_t n = count_include_pad_ ? divisors[q] : valid;
          return n > 0 ? sum / static_cast<decltype(sum)>(n) : decltype(sum)(0);
        });
  }

 private:
  WindowAttrs attrs_;
  bool count_include_pad_;
};

// LpPool-1 and GlobalLpPool-1 carry p as a float; later versions as an int.
double read_p(const AttributeMap& a) {
  const Attribute* attr = a.find("p");
  double p = !attr ? 2.0 : attr->kind == Attribute::Kind::kFloat ? attr->f : static_cast<double>(attr->i);
  ONNXGEN_CHECK(p > 0, "p must be positive, got ", p);
  return p;
}

template <class V>
V lp_term(V v, double p) {
  return p == 2.0 ? v * v : p == 1.0 ? std::abs(v) : static_cast<V>(std::pow(std::abs(v), p));
}

template <class V>
V lp_root(V sum, double p) {
  return p == 2.0 ? std::sqrt(sum) : p == 1.0 ? sum : static_cast<V>(std::pow(sum, 1.0 / p));
}

class LpPool : public OpKernel {
 public:
  explicit LpPool(const KernelInit& init) : attrs_(WindowAttrs::parse(init.attrs())), p_(read_p(init.attrs())) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const PoolPlan plan = plan_pool(attrs_, x);
    Tensor& y = ctx.allocate(0, x.dtype(), plan.output_shape);
    const double p = p_;
    reduce_windows(
        ctx, x, plan, y, [p](auto v) { return lp_term(v, p); }, [p](auto sum, int64_t, int64_t) { return lp_root(sum, p); });
  }

 private:
  WindowAttrs attrs_;
  double p_;
};

enum class GlobalKind { kAverage, kMax, kLp };

template <GlobalKind kKind>
class GlobalPool : public OpKernel {
 public:
  explicit GlobalPool(const KernelInit& init) : p_(kKind == GlobalKind::kLp ? read_p(init.attrs()) : 0) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.rank() >= 3, "input must be [N, C, spatial...], got ", x.describe());
    Shape out_shape(x.rank(), 1);
    out_shape[0] = x.dim(0);
    out_shape[1] = x.dim(1);
    Tensor& y = ctx.allocate(0, x.dtype(), out_shape);
    const int64_t planes = x.dim(0) * x.dim(1);
    const int64_t size = planes ? x.numel() / planes : 0;
    ONNXGEN_CHECK(size > 0 || planes == 0, "global pool over an empty spatial extent");
    const double p = p_;
    auto run = [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      for_each_plane(ctx.pool(), planes, size, [&](int64_t plane) {
        const T* in = src + plane * size;
        C acc = kKind == GlobalKind::kMax ? C(in[0]) : C(0);
        for (int64_t i = 0; i < size; ++i) {
          if constexpr (kKind == GlobalKind::kMax) acc = std::max(acc, C(in[i]));
          else if constexpr (kKind == GlobalKind::kAverage) acc += C(in[i]);
          else acc += lp_term(C(in[i]), p);
        }
        if constexpr (kKind == GlobalKind::kAverage) acc /= static_cast<C>(size);
        if constexpr (kKind == GlobalKind::kLp) acc = lp_root(acc, p);
        dst[plane] = T(acc);
      });
    };
    if constexpr (kKind == GlobalKind::kMax) dispatch_numeric(x.dtype(), run);
    else dispatch_float(x.dtype(), run);
  }

 private:
  double p_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "MaxPool", 1, ONNXGEN_LATEST, MaxPool);
ONNXGEN_REGISTER_KERNEL("", "AveragePool", 1, ONNXGEN_LATEST, AveragePool);
ONNXGEN_REGISTER_KERNEL("", "LpPool", 1, ONNXGEN_LATEST, LpPool);
ONNXGEN_REGISTER_KERNEL("", "GlobalAveragePool", 1, ONNXGEN_LATEST, GlobalPool<GlobalKind::kAverage>);
ONNXGEN_REGISTER_KERNEL("", "GlobalMaxPool", 1, ONNXGEN_LATEST, GlobalPool<GlobalKind::kMax>);
ONNXGEN_REGISTER_KERNEL("", "GlobalLpPool", 1, ONNXGEN_LATEST, GlobalPool<GlobalKind::kLp>);

}  // namespace onnxgen
