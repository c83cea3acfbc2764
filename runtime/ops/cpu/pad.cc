// Pad: constant, reflect, edge and wrap modes; negative pads crop. Each output coordinate maps
// to a source coordinate (or to the constant) per axis, computed once per run.
#include <numeric>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/axes.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

enum class Mode { kConstant, kReflect, kEdge, kWrap };

constexpr int64_t kConstantCell = -1;

// Source coordinate of output coordinates [0, dim + begin + end) on one axis.
std::vector<int64_t> axis_map(int64_t dim, int64_t begin, int64_t end, Mode mode) {
  int64_t out = 0;
  ONNXGEN_CHECK(!__builtin_add_overflow(dim, begin, &out) && !__builtin_add_overflow(out, end, &out), "Pad: pads ",
                begin, " and ", end, " are too large");
  ONNXGEN_CHECK(out >= 0, "Pad: pads ", begin, " and ", end, " remove more than the axis size ", dim);
  ONNXGEN_CHECK(mode == Mode::kConstant || dim > 0 || out == 0, "Pad: cannot pad an empty axis except with a constant");
  std::vector<int64_t> map(static_cast<size_t>(out));
  const int64_t period = 2 * (dim - 1);
  for (int64_t o = 0; o < out; ++o) {
    int64_t i = o - begin;
    if (i < 0 || i >= dim) {
      switch (mode) {
        case Mode::kConstant:
          i = kConstantCell;
          break;
        case Mode::kEdge:
          i = std::clamp<int64_t>(i, 0, dim - 1);
          break;
        case Mode::kWrap:
          i = ((i % dim) + dim) % dim;
          break;
        case Mode::kReflect:
          if (period == 0) {
            i = 0;
          } else {
            i = ((i % period) + period) % period;
            if (i >= dim) i = period - i;
          }
          break;
      }
    }
    map[o] = i;
  }
  return map;
}

Mode parse_mode(const std::string& m) {
  if (m == "constant") return Mode::kConstant;
  if (m == "reflect") return Mode::kReflect;
  if (m == "edge") return Mode::kEdge;
  if (m == "wrap") return Mode::kWrap;
  fail("Pad: unsupported mode '", m, "'");
}

class Pad : public OpKernel {
 public:
  // Opset 1 names the pads "paddings"; 2-10 take pads and value as attributes; 11+ as inputs.
  explicit Pad(const KernelInit& init)
      : mode_(parse_mode(init.attrs().get_string("mode", "constant"))), from_inputs_(init.opset >= 11) {
    if (from_inputs_) return;
    pads_ = init.attrs().get_ints(init.opset == 1 ? "paddings" : "pads");
    value_ = init.attrs().get_float("value", 0);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const int64_t rank = static_cast<int64_t>(x.rank());
    std::vector<int64_t> pads = from_inputs_ ? ctx.required(1).to_int64_vector() : pads_;
    std::vector<int64_t> axes(static_cast<size_t>(rank));
    std::iota(axes.begin(), axes.end(), 0);
    if (from_inputs_ && ctx.input(3)) axes = normalize_axes(ctx.input(3)->to_int64_vector(), rank);
    const int64_t n = static_cast<int64_t>(axes.size());
    ONNXGEN_CHECK(static_cast<int64_t>(pads.size()) == 2 * n, "Pad: ", pads.size(), " pads for ", n, " axes");
    std::vector<int64_t> begin(static_cast<size_t>(rank), 0), end(static_cast<size_t>(rank), 0);
    for (int64_t i = 0; i < n; ++i) {
      begin[axes[i]] = pads[i];
      end[axes[i]] = pads[n + i];
    }
    std::vector<std::vector<int64_t>> maps;
    Shape out_shape;
    for (int64_t d = 0; d < rank; ++d) {
      maps.push_back(axis_map(x.dim(d), begin[d], end[d], mode_));
      out_shape.push_back(static_cast<int64_t>(maps.back().size()));
    }
    const Tensor fill = fill_value(ctx, x.dtype());
    Tensor& y = ctx.allocate(0, x.dtype(), out_shape);
    if (y.numel() == 0) return;
    if (rank == 0) {
      strided_copy(x, y, StridedView{}, ctx.pool());
      return;
    }
    const Shape strides = strides_of(x.shape());
    const std::vector<int64_t>& inner_map = maps.back();
    const int64_t inner = out_shape.back(), rows = y.numel() / inner;
    dispatch_by_size(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = elements_of<T>(x);
      T* dst = mutable_elements_of<T>(y);
      const T& value = *elements_of<T>(fill);
      ctx.pool().parallel_for(rows, std::max<int64_t>(1, (int64_t{1} << 14) / inner), [&](int64_t b, int64_t e) {
        for (int64_t row = b; row < e; ++row) {
          T* out = dst + row * inner;
          int64_t off = 0, rem = row;
          bool constant_row = false;
          for (int64_t d = rank - 1; d-- > 0;) {
            const int64_t i = maps[d][rem % out_shape[d]];
            rem /= out_shape[d];
            constant_row |= i == kConstantCell;
            off += i * strides[d];
          }
          if (constant_row) {
            std::fill(out, out + inner, value);
            continue;
          }
          for (int64_t j = 0; j < inner; ++j) out[j] = inner_map[j] == kConstantCell ? value : src[off + inner_map[j]];
        }
      });
    });
  }

 private:
  // The constant as a one-element tensor of the data's type.
  Tensor fill_value(const KernelContext& ctx, DataType dtype) const {
    if (from_inputs_ && ctx.input(2) && ctx.input(2)->numel() > 0) {
      const Tensor& v = *ctx.input(2);
      ONNXGEN_CHECK(v.dtype() == dtype && v.numel() == 1, "Pad: constant_value ", v.describe(),
                    " must be one element of the data type ", to_string(dtype));
      return v;
    }
    Tensor t = Tensor::zeros(dtype, {});
    if (value_ != 0)
      dispatch_numeric(dtype, [&](auto tag) {
        using T = decltype(tag);
        *t.data<T>() = T(static_cast<compute_t<T>>(value_));
      });
    return t;
  }

  Mode mode_;
  bool from_inputs_;
  std::vector<int64_t> pads_;
  float value_ = 0;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Pad", 1, ONNXGEN_LATEST, Pad);

}  // namespace onnxgen
