#pragma once
// The shared shape of two-input elementwise ops (arithmetic, comparison, logic, bitwise): same
// element type in, numpy broadcasting (or the opset-1..6 `broadcast`/`axis` form), and an
// element function supplied by an Op policy class.
#include <optional>
#include <string>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/elementwise.h"

namespace onnxgen {

// Before opset 7, arithmetic and logic ops broadcast only with broadcast=1, and then align B's
// dims with A's starting at `axis` (default: trailing alignment).
class LegacyBroadcast {
 public:
  explicit LegacyBroadcast(const KernelInit& init) : legacy_(init.opset < 7) {
    if (!legacy_) return;
    enabled_ = init.attrs().get_int("broadcast", 0) != 0;
    if (init.attrs().has("axis")) axis_ = init.attrs().get_int("axis");
  }

  // The shape to give B so that numpy broadcasting against A does what the node means.
  Shape b_shape(const Shape& a, const Shape& b) const {
    if (!legacy_) return b;
    if (!enabled_) {
      ONNXGEN_CHECK(a == b, "shapes ", to_string(a), " and ", to_string(b), " differ and broadcast=0");
      return b;
    }
    const int64_t rank = static_cast<int64_t>(a.size());
    const int64_t k = static_cast<int64_t>(b.size());
    const int64_t axis = axis_ ? (*axis_ < 0 ? *axis_ + rank : *axis_) : rank - k;
    ONNXGEN_CHECK(axis >= 0 && axis + k <= rank, "broadcast axis ", axis_.value_or(axis), " does not fit B ",
                  to_string(b), " into A ", to_string(a));
    Shape out(static_cast<size_t>(axis), 1);
    out.insert(out.end(), b.begin(), b.end());
    out.resize(a.size(), 1);
    return out;
  }

 private:
  bool legacy_;
  bool enabled_ = false;
  std::optional<int64_t> axis_;
};

// Op policy: constructible from KernelInit; `kTypes` bounds the element type; `kGrain` is its
// cost class; `fn<T>(b)` returns the element function for type T (b is given so integer
// division can reject zero divisors before the parallel loop).
template <class Op>
class BinaryKernel : public OpKernel {
 public:
  explicit BinaryKernel(const KernelInit& init) : op_(init), legacy_(init), name_(init.node.op_type) {}

  void compute(KernelContext& ctx) override {
    const Tensor& a = ctx.required(0);
    const Tensor& b_in = ctx.required(1);
    ONNXGEN_CHECK(a.dtype() == b_in.dtype(), name_, " inputs differ in element type: ", a.describe(), " and ",
                  b_in.describe());
    const Tensor b = b_in.reshaped(legacy_.b_shape(a.shape(), b_in.shape()));
    const Shape out_shape = broadcast_shapes(a.shape(), b.shape());
    dispatch_group<Op::kTypes>(a.dtype(), name_.c_str(), [&](auto tag) {
      using T = decltype(tag);
      const auto f = op_.template fn<T>(b);
      using R = decltype(f(T{}, T{}));
      Tensor& y = ctx.allocate(0, data_type_of<R>(), out_shape);
      zip_broadcast<T, T, R>(ctx.pool(), a, b, y, Op::kGrain, f);
    });
  }

 private:
  Op op_;
  LegacyBroadcast legacy_;
  std::string name_;
};

}  // namespace onnxgen
