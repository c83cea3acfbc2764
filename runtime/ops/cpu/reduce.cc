// The ReduceXxx family: a fold over some axes, parameterised by how each element enters the
// fold (map), how partial results combine, and how the result is finished (mean, sqrt, log).
#include <cmath>
#include <limits>
#include <utility>
#include <type_traits>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/reduce_axes.h"
#include "runtime/ops/cpu/row_reduce.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

// Which vectorised float row fold computes an op's fold over a contiguous row, if any.
enum class RowFold { kNone, kSum, kSumSquares, kMax, kMin };

template <class T>
using acc_t = compute_t<T>;
// Logs, roots and exps of integers are taken in double and truncated back, as numpy does.
template <class T>
using real_acc_t = std::conditional_t<std::is_floating_point_v<compute_t<T>>, compute_t<T>, double>;

template <class T>
struct SumOp {
  using A = acc_t<T>;
  static constexpr RowFold kRow = RowFold::kSum;
  static constexpr bool kTakesBool = false;
  static A init() { return A(0); }
  static A map(compute_t<T> x) { return x; }
  static A combine(A a, A b) { return a + b; }
  static A finish(A a, int64_t) { return a; }
};

template <class T>
struct MeanOp : SumOp<T> {
  using A = acc_t<T>;
  static A finish(A a, int64_t n) { return n ? static_cast<A>(a / static_cast<A>(n)) : std::numeric_limits<A>::quiet_NaN(); }
};

template <class T>
struct SumSquareOp : SumOp<T> {
  using A = acc_t<T>;
  static constexpr RowFold kRow = RowFold::kSumSquares;
  static A map(compute_t<T> x) { return static_cast<A>(x) * static_cast<A>(x); }
};

template <class T>
struct L1Op : SumOp<T> {
  using A = acc_t<T>;
  static constexpr RowFold kRow = RowFold::kNone;
  static A map(compute_t<T> x) {
    if constexpr (std::is_unsigned_v<A>) return x;
    else return x < 0 ? static_cast<A>(-x) : x;
  }
};

template <class T>
struct L2Op {
  using A = real_acc_t<T>;
  static constexpr RowFold kRow = RowFold::kSumSquares;
  static constexpr bool kTakesBool = false;
  static A init() { return A(0); }
  static A map(compute_t<T> x) { return static_cast<A>(x) * static_cast<A>(x); }
  static A combine(A a, A b) { return a + b; }
  static A finish(A a, int64_t) { return std::sqrt(a); }
};

template <class T>
struct LogSumOp {
  using A = real_acc_t<T>;
  static constexpr RowFold kRow = RowFold::kSum;
  static constexpr bool kTakesBool = false;
  static A init() { return A(0); }
  static A map(compute_t<T> x) { return x; }
  static A combine(A a, A b) { return a + b; }
  static A finish(A a, int64_t) { return std::log(a); }
};

// Carries the running maximum so exp never overflows: sum is relative to exp(max).
struct ShiftedExpSum {
  double max;
  double sum;
};

template <class T>
struct LogSumExpOp {
  using A = ShiftedExpSum;
  static constexpr RowFold kRow = RowFold::kNone;
  static constexpr bool kTakesBool = false;
  static A init() { return {-std::numeric_limits<double>::infinity(), 0}; }
  static A map(compute_t<T> x) { return {static_cast<double>(x), 1}; }
  static A combine(A a, A b) {
    if (a.sum == 0) return b;
    if (b.sum == 0) return a;
    if (b.max > a.max) std::swap(a, b);
    return {a.max, a.sum + b.sum * std::exp(b.max - a.max)};
  }
  static double finish(A a, int64_t) { return a.sum == 0 ? -std::numeric_limits<double>::infinity() : a.max + std::log(a.sum); }
};

template <class T>
struct ProdOp {
  using A = acc_t<T>;
  static constexpr RowFold kRow = RowFold::kNone;
  static constexpr bool kTakesBool = false;
  static A init() { return A(1); }
  static A map(compute_t<T> x) { return x; }
  static A combine(A a, A b) { return a * b; }
  static A finish(A a, int64_t) { return a; }
};

template <class A, bool kMax>
A extreme_start() {
  if constexpr (std::numeric_limits<A>::has_infinity)
    return kMax ? -std::numeric_limits<A>::infinity() : std::numeric_limits<A>::infinity();
  else return kMax ? std::numeric_limits<A>::lowest() : std::numeric_limits<A>::max();
}

template <class T, bool kMax>
struct ExtremeOp {
  using A = acc_t<T>;
  static constexpr RowFold kRow = kMax ? RowFold::kMax : RowFold::kMin;
  static constexpr bool kTakesBool = true;  // opset 20: max is any, min is all
  static A init() { return extreme_start<A, kMax>(); }
  static A map(compute_t<T> x) { return x; }
  // NaN wins, as in numpy.
  static A combine(A a, A b) {
    if (b != b) return b;
    return (kMax ? b > a : b < a) ? b : a;
  }
  static A finish(A a, int64_t) { return a; }
};
template <class T>
using MaxOp = ExtremeOp<T, true>;
template <class T>
using MinOp = ExtremeOp<T, false>;

// The input viewed as [outer, extent, inner] with the fold over `extent`.
struct FoldLayout {
  int64_t outer, extent, inner;
};

template <template <class> class Op, class T>
void fold_rows(const T* x, T* y, const FoldLayout& l, ThreadPool& pool) {
  using O = Op<T>;
  using A = typename O::A;
  pool.parallel_for(l.outer, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, l.extent)), [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) {
      const T* row = x + o * l.extent;
      A acc;
      if constexpr (std::is_same_v<T, float> && O::kRow != RowFold::kNone) {
        if constexpr (O::kRow == RowFold::kSum) acc = row_sum(row, l.extent);
        else if constexpr (O::kRow == RowFold::kSumSquares) acc = row_sum_squares(row, l.extent);
        else if constexpr (O::kRow == RowFold::kMax) acc = row_max(row, l.extent);
        else acc = row_min(row, l.extent);
      } else {
        acc = O::init();
        for (int64_t r = 0; r < l.extent; ++r) acc = O::combine(acc, O::map(static_cast<compute_t<T>>(row[r])));
      }
      y[o] = static_cast<T>(O::finish(acc, l.extent));
    }
  });
}

// Folds across rows: every output element of a block of `inner` accumulates one element per
// reduced row, so the inner loop runs over contiguous memory.
template <template <class> class Op, class T>
void fold_columns(const T* x, T* y, const FoldLayout& l, ThreadPool& pool) {
  using O = Op<T>;
  using A = typename O::A;
  constexpr int64_t kBlock = 512;
  const int64_t blocks = (l.inner + kBlock - 1) / kBlock;
  pool.parallel_for(l.outer * blocks, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, l.extent * kBlock)),
                    [&](int64_t b, int64_t e) {
                      A acc[kBlock];
                      for (int64_t task = b; task < e; ++task) {
                        const int64_t o = task / blocks, j0 = (task % blocks) * kBlock;
                        const int64_t w = std::min(kBlock, l.inner - j0);
                        for (int64_t j = 0; j < w; ++j) acc[j] = O::init();
                        for (int64_t r = 0; r < l.extent; ++r) {
                          const T* src = x + (o * l.extent + r) * l.inner + j0;
                          for (int64_t j = 0; j < w; ++j)
                            acc[j] = O::combine(acc[j], O::map(static_cast<compute_t<T>>(src[j])));
                        }
                        T* dst = y + o * l.inner + j0;
                        for (int64_t j = 0; j < w; ++j) dst[j] = static_cast<T>(O::finish(acc[j], l.extent));
                      }
                    });
}

template <template <class> class Op, class T>
void reduce(const Tensor& x, Tensor& y, const std::vector<bool>& mask, ThreadPool& pool) {
  const Shape& shape = x.shape();
  if (y.numel() == 0) return;
  // Merge runs of adjacent folded / kept dimensions; size-1 dimensions don't affect the layout.
  struct Run {
    int64_t size;
    bool folded;
  };
  std::vector<Run> runs;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (!runs.empty() && runs.back().folded == mask[i]) runs.back().size *= shape[i];
    else runs.push_back({shape[i], static_cast<bool>(mask[i])});
  }
  size_t folded_runs = 0;
  for (const Run& r : runs) folded_runs += r.folded;
  const T* src = x.data<T>();
  T* dst = y.data<T>();
  if (folded_runs == 0) {
    fold_rows<Op>(src, dst, {y.numel(), 1, 1}, pool);
    return;
  }
  if (folded_runs == 1) {
    FoldLayout l{1, 1, 1};
    bool after = false;
    for (const Run& r : runs) {
      if (r.folded) {
        l.extent = r.size;
        after = true;
      } else {
        (after ? l.inner : l.outer) *= r.size;
      }
    }
    if (l.inner == 1) fold_rows<Op>(src, dst, l, pool);
    else fold_columns<Op>(src, dst, l, pool);
    return;
  }
  // Several separate folded runs: gather the folded axes to the end first.
  const Shape strides = strides_of(shape);
  StridedView view;
  int64_t extent = 1;
  for (bool folded : {false, true})
    for (size_t i = 0; i < shape.size(); ++i)
      if (mask[i] == folded) {
        view.shape.push_back(shape[i]);
        view.strides.push_back(strides[i]);
        if (folded) extent *= shape[i];
      }
  Tensor gathered = Tensor::empty(x.dtype(), view.shape);
  strided_copy(src, gathered.data<T>(), view, pool);
  fold_rows<Op>(gathered.data<T>(), dst, {y.numel(), extent, 1}, pool);
}

// A bool tensor's storage read as uint8 0/1, where max and min are any and all.
Tensor byte_view(const Tensor& t) {
  return Tensor(DataType::kUInt8, t.shape(), t.buffer(), t.byte_offset());
}

template <template <class> class Op, bool kAxesFromInput>
class Reduce : public OpKernel {
 public:
  explicit Reduce(const KernelInit& init)
      : keepdims_(init.attrs().get_int("keepdims", 1) != 0),
        noop_with_empty_axes_(init.attrs().get_int("noop_with_empty_axes", 0) != 0),
        axes_(init.attrs().get_ints("axes")) {
    ONNXGEN_CHECK(!kAxesFromInput || !init.attrs().has("axes"), "axes is an input from this opset, not an attribute");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    std::vector<int64_t> axes = axes_;
    if constexpr (kAxesFromInput) {
      if (const Tensor* a = ctx.input(1); a && a->defined()) {
        ONNXGEN_CHECK(is_integer(a->dtype()) && a->rank() <= 1, "axes must be a 1-D integer tensor, got ", a->describe());
        axes = a->to_int64_vector();
      }
    }
    if (axes.empty() && noop_with_empty_axes_) {
      ctx.set_output(0, x);
      return;
    }
    const int64_t rank = static_cast<int64_t>(x.rank());
    std::vector<bool> mask = reduced_axes_mask(axes, rank);
    Tensor& y = ctx.allocate(0, x.dtype(), reduced_shape(x.shape(), mask, keepdims_));
    if (x.dtype() == DataType::kBool && Op<uint8_t>::kTakesBool) {
      Tensor bytes = byte_view(y);
      reduce<Op, uint8_t>(byte_view(x), bytes, mask, ctx.pool());
      return;
    }
    dispatch_numeric(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      reduce<Op, T>(x, y, mask, ctx.pool());
    });
  }

 private:
  bool keepdims_;
  bool noop_with_empty_axes_;
  std::vector<int64_t> axes_;
};

}  // namespace

// ReduceSum took its axes as an input from opset 13; the others followed in opset 18.
template <template <class> class Op>
using ReduceAxesAttribute = Reduce<Op, false>;
template <template <class> class Op>
using ReduceAxesInput = Reduce<Op, true>;

ONNXGEN_REGISTER_KERNEL("", "ReduceSum", 1, 12, ReduceAxesAttribute<SumOp>);
ONNXGEN_REGISTER_KERNEL("", "ReduceSum", 13, ONNXGEN_LATEST, ReduceAxesInput<SumOp>);
#define ONNXGEN_REGISTER_REDUCE(name, op)                                   \
  ONNXGEN_REGISTER_KERNEL("", name, 1, 17, ReduceAxesAttribute<op>);        \
  ONNXGEN_REGISTER_KERNEL("", name, 18, ONNXGEN_LATEST, ReduceAxesInput<op>)
ONNXGEN_REGISTER_REDUCE("ReduceMean", MeanOp);
ONNXGEN_REGISTER_REDUCE("ReduceMax", MaxOp);
ONNXGEN_REGISTER_REDUCE("ReduceMin", MinOp);
ONNXGEN_REGISTER_REDUCE("ReduceProd", ProdOp);
ONNXGEN_REGISTER_REDUCE("ReduceL1", L1Op);
ONNXGEN_REGISTER_REDUCE("ReduceL2", L2Op);
ONNXGEN_REGISTER_REDUCE("ReduceLogSum", LogSumOp);
ONNXGEN_REGISTER_REDUCE("ReduceLogSumExp", LogSumExpOp);
ONNXGEN_REGISTER_REDUCE("ReduceSumSquare", SumSquareOp);
#undef ONNXGEN_REGISTER_REDUCE

}  // namespace onnxgen
