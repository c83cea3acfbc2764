// Arithmetic with broadcasting: Add Sub Mul Div Mod Pow.
#include <cmath>
#include <functional>

#include "runtime/ops/cpu/binary_op.h"
#include "runtime/ops/cpu/convert.h"

namespace onnxgen {
namespace {

template <class G>
struct WrappingArithmetic {
  static constexpr TypeGroup kTypes = TypeGroup::kNumeric;
  static constexpr int64_t kGrain = kCheapGrain;
  explicit WrappingArithmetic(const KernelInit&) {}
  template <class T>
  auto fn(const Tensor&) const {
    return lift<T>([](auto x, auto y) { return wrapping(x, y, G{}); });
  }
};

// Integer division by zero traps on x86; it is rejected before the loop instead.
template <class T>
void check_no_zero_divisor(const Tensor& divisor) {
  if constexpr (is_int_v<T>) {
    const T* d = divisor.data<T>();
    for (int64_t i = 0; i < divisor.numel(); ++i)
      ONNXGEN_CHECK(d[i] != 0, "integer division by zero (divisor element ", i, ")");
  }
}

// x / -1 and x % -1 trap for the most negative x; both are computed without dividing.
template <class C>
constexpr bool divisor_is_minus_one(C y) {
  if constexpr (std::is_signed_v<C>) return y == -1;
  else return false;
}

struct Div {
  static constexpr TypeGroup kTypes = TypeGroup::kNumeric;
  static constexpr int64_t kGrain = kCheapGrain;
  explicit Div(const KernelInit&) {}
  template <class T>
  auto fn(const Tensor& divisor) const {
    check_no_zero_divisor<T>(divisor);
    return lift<T>([](auto x, auto y) {
      using C = decltype(x);
      if constexpr (is_int_v<C>) {
        if (divisor_is_minus_one(y)) return wrapping(C{0}, x, std::minus<>());
      }
      return static_cast<C>(x / y);
    });
  }
};

// fmod=1: the remainder takes the dividend's sign (C fmod / %); fmod=0: the divisor's (Python %,
// numpy's np.mod for floats: a zero remainder takes the divisor's sign, x mod +-inf is x or +-inf).
class Mod {
 public:
  static constexpr TypeGroup kTypes = TypeGroup::kNumeric;
  static constexpr int64_t kGrain = kCheapGrain;
  explicit Mod(const KernelInit& init) : fmod_(init.attrs().get_int("fmod", 0) != 0) {}
  template <class T>
  auto fn(const Tensor& divisor) const {
    check_no_zero_divisor<T>(divisor);
    return lift<T>([fmod = fmod_](auto x, auto y) {
      using C = decltype(x);
      if constexpr (is_float_v<C>) {
        const C r = std::fmod(x, y);
        if (fmod || y == 0) return r;
        if (r == 0) return std::copysign(C(0), y);
        return (r < 0) != (y < 0) ? r + y : r;
      } else {
        if (divisor_is_minus_one(y)) return C{0};
        const C r = static_cast<C>(x % y);
        if constexpr (std::is_signed_v<C>)
          if (!fmod && r != 0 && ((r < 0) != (y < 0))) return static_cast<C>(r + y);
        return r;
      }
    });
  }

 private:
  bool fmod_;
};

// Integer powers by squaring: exact where going through double would round for int64.
template <class C, class E>
C integer_power(C base, E exponent) {
  if (exponent < 0) {
    if (base == 1) return 1;
    if constexpr (std::is_signed_v<C>)
      if (base == -1) return (exponent % 2 == 0) ? 1 : -1;
    return 0;
  }
  C result = 1;
  while (exponent > 0) {
    if (exponent & 1) result = wrapping(result, base, std::multiplies<>());
    base = wrapping(base, base, std::multiplies<>());
    exponent >>= 1;
  }
  return result;
}

// Pow: the exponent may have a different numeric type than the base (opset 12+); the output has
// the base's type. A mixed-type exponent is first widened to int64 (both integral) or double.
class Pow : public OpKernel {
 public:
  explicit Pow(const KernelInit& init) : legacy_(init) {}

  void compute(KernelContext& ctx) override {
    const Tensor& base = ctx.required(0);
    const Tensor& exp_in = ctx.required(1);
    const Tensor exponent = exp_in.reshaped(legacy_.b_shape(base.shape(), exp_in.shape()));
    Tensor& y = ctx.allocate(0, base.dtype(), broadcast_shapes(base.shape(), exponent.shape()));
    dispatch_group<TypeGroup::kNumeric>(base.dtype(), "Pow", [&](auto base_tag) {
      using T = decltype(base_tag);
      if (exponent.dtype() == base.dtype()) {
        if (exponent.numel() == 1 && y.numel() == base.numel() && try_scalar_fast_path<T>(ctx, base, exponent, y))
          return;
        run<T, T>(ctx, base, exponent, y);
      } else if (is_integer(base.dtype()) && is_integer(exponent.dtype())) {
        run<T, int64_t>(ctx, base, widened<int64_t>(exponent), y);
      } else {
        run<T, double>(ctx, base, widened<double>(exponent), y);
      }
    });
  }

 private:
  template <class E>
  static Tensor widened(const Tensor& t) {
    Tensor out = Tensor::empty(data_type_of<E>(), t.shape());
    dispatch_group<TypeGroup::kNumeric>(t.dtype(), "Pow exponent", [&](auto tag) {
      using S = decltype(tag);
      const S* in = t.data<S>();
      E* o = out.data<E>();
      for (int64_t i = 0; i < t.numel(); ++i) o[i] = convert_element<E>(in[i]);
    });
    return out;
  }

  template <class T, class E>
  static void run(KernelContext& ctx, const Tensor& base, const Tensor& exponent, Tensor& y) {
    zip_broadcast<T, E, T>(ctx.pool(), base, exponent, y, kCostlyGrain, [](const T& b, const E& e) {
      if constexpr (is_int_v<T> && is_int_v<E>) return integer_power(b, e);
      else if constexpr (is_int_v<T>) return convert_element<T>(std::pow(static_cast<double>(b), static_cast<double>(widen(e))));
      else if constexpr (std::is_same_v<T, E>) return to_storage<T>(std::pow(widen(b), widen(e)));
      else return to_storage<T>(std::pow(static_cast<double>(widen(b)), static_cast<double>(e)));
    });
  }

  // x^2 (variance in normalisations), x^0.5 and x^1 are common in exports and need no pow().
  template <class T>
  static bool try_scalar_fast_path(KernelContext& ctx, const Tensor& base, const Tensor& exponent, Tensor& y) {
    if constexpr (!is_float_v<T>) {
      return false;
    } else {
      const double e = exponent.to_double(0);
      const auto map = [&](auto g) { map_elements(ctx.pool(), base.data<T>(), y.data<T>(), base.numel(), kCheapGrain, lift<T>(g)); };
      if (e == 2) map([](auto x) { return x * x; });
      else if (e == 0.5) map([](auto x) { return std::sqrt(x); });
      else if (e == 1) map([](auto x) { return x; });
      else return false;
      return true;
    }
  }

  LegacyBroadcast legacy_;
};

using Add = BinaryKernel<WrappingArithmetic<std::plus<>>>;
using Sub = BinaryKernel<WrappingArithmetic<std::minus<>>>;
using Mul = BinaryKernel<WrappingArithmetic<std::multiplies<>>>;

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Add", 1, ONNXGEN_LATEST, Add);
ONNXGEN_REGISTER_KERNEL("", "Sub", 1, ONNXGEN_LATEST, Sub);
ONNXGEN_REGISTER_KERNEL("", "Mul", 1, ONNXGEN_LATEST, Mul);
ONNXGEN_REGISTER_KERNEL("", "Div", 1, ONNXGEN_LATEST, BinaryKernel<Div>);
ONNXGEN_REGISTER_KERNEL("", "Mod", 10, ONNXGEN_LATEST, BinaryKernel<Mod>);
ONNXGEN_REGISTER_KERNEL("", "Pow", 1, ONNXGEN_LATEST, Pow);

}  // namespace onnxgen
