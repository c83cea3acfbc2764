// MatMulInteger and QLinearMatMul: 8-bit matrix products accumulated exactly in int32 after
// removing the zero points (per tensor, per row of A, or per column of B); QLinearMatMul then
// requantises the int32 sums to its output scale and zero point.
//
// MatMulInteger over a 2-D B with one zero point for A (dynamic quantisation's layers) runs
// int8_gemm, B packed once when it is an initializer mapped from the model file; the other
// forms run a plain int32 GEMM over widened copies.
#include <cmath>
#include <limits>
#include <mutex>

#include "runtime/core/scratch.h"
#include "runtime/core/simd.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/int8_gemm.h"
#include "runtime/ops/cpu/mapped_weights.h"
#include "runtime/ops/cpu/matmul_dims.h"

namespace onnxgen {
namespace {

// An 8-bit operand minus its zero point, as int32. `lines` is M for A (zero point per row) and
// N for B (per column); `line_of(i)` maps a flat index to its row or column.
template <class LineOf>
std::vector<int32_t> centred(const Tensor& x, const Tensor* zp, int64_t lines, const char* what, LineOf line_of) {
  ONNXGEN_CHECK(x.dtype() == DataType::kUInt8 || x.dtype() == DataType::kInt8, what, " must be uint8 or int8, got ",
                x.describe());
  std::vector<int32_t> out(static_cast<size_t>(x.numel()));
  if (zp) {
    ONNXGEN_CHECK(zp->dtype() == x.dtype(), what, "'s zero point ", zp->describe(), " must have its type ", x.describe());
    ONNXGEN_CHECK(zp->numel() == 1 || (zp->rank() == 1 && zp->numel() == lines), what, "'s zero point ", zp->describe(),
                  " must be a scalar or have ", lines, " values");
  }
  auto fill = [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    const T* z = zp ? zp->data<T>() : nullptr;
    const bool per_line = zp && zp->numel() > 1;
    for (int64_t i = 0; i < x.numel(); ++i)
      out[static_cast<size_t>(i)] = static_cast<int32_t>(in[i]) - (z ? static_cast<int32_t>(z[per_line ? line_of(i) : 0]) : 0);
  };
  if (x.dtype() == DataType::kUInt8) fill(uint8_t{});
  else fill(int8_t{});
  return out;
}

// y[i] = float(c[i]) * scale[i % columns]: a Cast to float, then a float Mul.
ONNXGEN_SIMD_CLONES
void scale_product(const int32_t* __restrict c, int64_t count, const float* __restrict scale, int64_t columns,
                   float* __restrict y) {
  if (columns == 1) {
    for (int64_t i = 0; i < count; ++i) y[i] = static_cast<float>(c[i]) * scale[0];
    return;
  }
  for (int64_t r = 0; r < count / columns; ++r)
    for (int64_t j = 0; j < columns; ++j) y[r * columns + j] = static_cast<float>(c[r * columns + j]) * scale[j];
}

const Tensor* optional_input(KernelContext& ctx, size_t i) {
  const Tensor* t = ctx.input(i);
  return t && t->defined() ? t : nullptr;
}

// The int32 product of A (input a_in) and B (input b_in) with the given zero points.
struct IntegerProduct {
  MatMulDims dims;
  int64_t m, n;  // of one matrix, before any batch folding
  std::vector<int32_t> values;
};

IntegerProduct integer_product(KernelContext& ctx, const Tensor& a, const Tensor* a_zp, const Tensor& b, const Tensor* b_zp) {
  IntegerProduct r;
  r.dims = matmul_dims(a.shape(), b.shape());
  r.m = a.rank() == 1 ? 1 : a.dim(a.rank() - 2);
  r.n = b.rank() == 1 ? 1 : b.dim(b.rank() - 1);
  const int64_t k = a.dim(a.rank() - 1), m = r.m, n = r.n;
  const std::vector<int32_t> ca = centred(a, a_zp, m, "A", [k, m](int64_t i) { return (i / k) % m; });
  const std::vector<int32_t> cb = centred(b, b_zp, n, "B", [n](int64_t i) { return i % n; });
  r.values.resize(static_cast<size_t>(num_elements(r.dims.out_shape)));
  batched_gemm_generic<int32_t>(r.dims.problem, ca.data(), cb.data(), r.values.data(), ctx.pool());
  return r;
}

bool is_8bit(const Tensor& t) { return t.dtype() == DataType::kUInt8 || t.dtype() == DataType::kInt8; }

// MatMulInteger's int32 product, in two steps so that its fused form can put the product
// elsewhere: shape_of, then product into an array of that shape.
class MatMulInteger : public OpKernel {
 public:
  explicit MatMulInteger(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    product(ctx, ctx.allocate(0, DataType::kInt32, shape_of(ctx)).data<int32_t>());
  }

 protected:
  Shape shape_of(KernelContext& ctx) const {
    const Tensor& a = ctx.required(0);
    const Tensor& b = ctx.required(1);
    if (!packable(ctx)) return matmul_dims(a.shape(), b.shape()).out_shape;
    Shape shape = a.shape();
    shape.back() = b.dim(1);
    return shape;
  }

  void product(KernelContext& ctx, int32_t* y) {
    const Tensor& a = ctx.required(0);
    const Tensor& b = ctx.required(1);
    const Tensor* a_zp = optional_input(ctx, 2);
    const Tensor* b_zp = optional_input(ctx, 3);
    if (packable(ctx)) {
      product_packed(ctx, a, b, a_zp, b_zp, y);
    } else {
      const IntegerProduct p = integer_product(ctx, a, a_zp, b, b_zp);
      std::copy(p.values.begin(), p.values.end(), y);
    }
  }

 private:
  // A 2-D B and one zero point for A: int8_gemm's case.
  static bool packable(KernelContext& ctx) {
    const Tensor& a = ctx.required(0);
    const Tensor& b = ctx.required(1);
    const Tensor* a_zp = optional_input(ctx, 2);
    const Tensor* b_zp = optional_input(ctx, 3);
    if (!int8_gemm_supported() || !is_8bit(a) || !is_8bit(b) || a.rank() < 2 || b.rank() != 2 ||
        a.dim(a.rank() - 1) != b.dim(0))
      return false;
    const bool a_zp_fits = !a_zp || (a_zp->numel() == 1 && a_zp->dtype() == a.dtype());
    const bool b_zp_fits = !b_zp || (b_zp->dtype() == b.dtype() &&
                                     (b_zp->numel() == 1 || (b_zp->rank() == 1 && b_zp->numel() == b.dim(1))));
    return a_zp_fits && b_zp_fits;
  }

  void product_packed(KernelContext& ctx, const Tensor& a, const Tensor& b, const Tensor* a_zp, const Tensor* b_zp,
                      int32_t* y) {
    const int64_t k = b.dim(0), n = b.dim(1), m = a.numel() / k;
    const Int8Operand a_op{a.raw(), a.dtype() == DataType::kInt8};
    const int32_t a_zero = !a_zp ? 0 : a_op.is_signed ? a_zp->data<int8_t>()[0] : a_zp->data<uint8_t>()[0];
    const Int8Operand b_op{b.raw(), b.dtype() == DataType::kInt8};
    const void* b_zero = b_zp ? b_zp->raw() : nullptr;
    const bool per_column = b_zp && b_zp->numel() > 1;
    // Weights mapped from the model file are initializers, constant for the session: packed once,
    // and the file's pages they came from handed back so the two copies are not both resident.
    if (is_mapped_initializer(b)) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!packed_.data || packed_from_ != b.raw() || packed_zero_ != b_zero) {
        packed_ = int8_pack_b(ctx.pool(), b_op, k, n, b_zero, per_column);
        packed_from_ = b.raw();
        packed_zero_ = b_zero;
        release_mapped_pages(b.raw(), b.bytes());
      }
      int8_gemm(ctx.pool(), packed_, a_op, m, a_zero, y);
    } else {
      int8_gemm(ctx.pool(), int8_pack_b(ctx.pool(), b_op, k, n, b_zero, per_column), a_op, m, a_zero, y);
    }
  }

  std::mutex mu_;
  Int8PackedB packed_;
  const void* packed_from_ = nullptr;
  const void* packed_zero_ = nullptr;
};

// com.onnxgen MatMulIntegerScaled(A, B, a_zero_point, b_zero_point, scale): MatMulInteger, Cast to
// float and Mul by a scale of one value or one per column, as dynamic quantisation leaves them
// (MatMulIntegerScaleFusion): the int32 product never leaves this kernel's scratch. The same
// bits as the three ops.
class MatMulIntegerScaled : public MatMulInteger {
 public:
  explicit MatMulIntegerScaled(const KernelInit& init) : MatMulInteger(init), label_(init.node.label()) {}

  void compute(KernelContext& ctx) override {
    const Shape shape = shape_of(ctx);
    const int64_t count = num_elements(shape), n = shape.empty() ? 1 : shape.back();
    const Tensor& scale = ctx.required(4);
    ONNXGEN_CHECK(scale.dtype() == DataType::kFloat && (scale.numel() == 1 || scale.numel() == n), label_,
                  ": scale must be float32 with 1 or ", n, " values, got ", scale.describe());
    const std::span<int32_t> product_of = thread_scratch<int32_t, struct ScaledProduct>(static_cast<size_t>(count));
    product(ctx, product_of.data());
    float* y = ctx.allocate(0, DataType::kFloat, shape).data<float>();
    scale_product(product_of.data(), count, scale.data<float>(), scale.numel() == 1 ? 1 : n, y);
  }

 private:
  std::string label_;
};

class QLinearMatMul : public OpKernel {
 public:
  explicit QLinearMatMul(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const Tensor& a = ctx.required(0);
    const Tensor& b = ctx.required(3);
    const Tensor& y_zp = ctx.required(7);
    IntegerProduct p = integer_product(ctx, a, &ctx.required(2), b, &ctx.required(5));
    const std::vector<double> a_scale = scales(ctx.required(1), p.m, "a_scale");
    const std::vector<double> b_scale = scales(ctx.required(4), p.n, "b_scale");
    const std::vector<double> y_scale = scales(ctx.required(6), 1, "y_scale");
    ONNXGEN_CHECK(y_zp.numel() == 1, "y_zero_point must be a scalar, got ", y_zp.describe());
    Tensor& y = ctx.allocate(0, y_zp.dtype(), p.dims.out_shape);
    auto requantise = [&](auto tag) {
      using Q = decltype(tag);
      const double zero = static_cast<double>(y_zp.data<Q>()[0]);
      Q* out = y.data<Q>();
      for (size_t i = 0; i < p.values.size(); ++i) {
        const int64_t flat = static_cast<int64_t>(i);
        const double sa = a_scale[a_scale.size() == 1 ? 0 : static_cast<size_t>((flat / p.n) % p.m)];
        const double sb = b_scale[b_scale.size() == 1 ? 0 : static_cast<size_t>(flat % p.n)];
        const double v = std::nearbyint(p.values[i] * sa * sb / y_scale[0]) + zero;
        out[i] = static_cast<Q>(std::clamp(v, static_cast<double>(std::numeric_limits<Q>::lowest()),
                                           static_cast<double>(std::numeric_limits<Q>::max())));
      }
    };
    if (y_zp.dtype() == DataType::kUInt8) requantise(uint8_t{});
    else if (y_zp.dtype() == DataType::kInt8) requantise(int8_t{});
    else fail("y_zero_point must be uint8 or int8, got ", y_zp.describe());
  }

 private:
  static std::vector<double> scales(const Tensor& s, int64_t lines, const char* what) {
    ONNXGEN_CHECK(is_float(s.dtype()) && (s.numel() == 1 || (s.rank() == 1 && s.numel() == lines)), what, " ",
                  s.describe(), " must be a float scalar or have ", lines, " values");
    std::vector<double> out(static_cast<size_t>(s.numel()));
    for (int64_t i = 0; i < s.numel(); ++i) out[static_cast<size_t>(i)] = s.to_double(i);
    return out;
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "MatMulInteger", 10, ONNXGEN_LATEST, MatMulInteger);
ONNXGEN_REGISTER_KERNEL("", "QLinearMatMul", 10, ONNXGEN_LATEST, QLinearMatMul);
ONNXGEN_REGISTER_KERNEL("com.onnxgen", "MatMulIntegerScaled", 1, ONNXGEN_LATEST, MatMulIntegerScaled);

}  // namespace onnxgen
