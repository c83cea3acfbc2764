// One-input math ops: Abs Neg Exp Log Sqrt Reciprocal Tanh Erf Sigmoid Softplus Softsign, the
// trigonometric and hyperbolic functions, Sign Floor Ceil Round IsNaN IsInf Not. float32 (and the
// half types, which compute in float) use the vectorisable approximations of vector_math.h;
// double uses libm.
#include <cmath>
#include <functional>

#include "runtime/ops/cpu/unary_op.h"
#include "runtime/ops/cpu/vector_math.h"

namespace onnxgen {
namespace {

struct AbsFn {
  template <class C>
  C operator()(C x) const {
    if constexpr (std::is_unsigned_v<C>) return x;
    else if constexpr (is_int_v<C>) return x < 0 ? wrapping(C{0}, x, std::minus<>()) : x;
    else return std::fabs(x);
  }
};
struct NegFn {
  template <class C>
  C operator()(C x) const {
    if constexpr (is_int_v<C>) return wrapping(C{0}, x, std::minus<>());
    else return -x;
  }
};
struct ExpFn {
  template <class C>
  C operator()(C x) const { return exp_of(x); }
};
struct LogFn {
  template <class C>
  C operator()(C x) const { return log_of(x); }
};
struct TanhFn {
  template <class C>
  C operator()(C x) const { return tanh_of(x); }
};
struct ErfFn {
  template <class C>
  C operator()(C x) const { return erf_of(x); }
};
struct SigmoidFn {
  template <class C>
  C operator()(C x) const { return sigmoid_of(x); }
};
struct SoftplusFn {
  template <class C>
  C operator()(C x) const { return softplus_of(x); }
};
struct SoftsignFn {
  template <class C>
  C operator()(C x) const { return x / (1 + std::fabs(x)); }
};
struct SqrtFn {
  template <class C>
  C operator()(C x) const { return std::sqrt(x); }
};
struct ReciprocalFn {
  template <class C>
  C operator()(C x) const { return 1 / x; }
};
struct SignFn {
  template <class C>
  C operator()(C x) const {
    if constexpr (std::is_unsigned_v<C>) return x > 0 ? 1 : 0;
    else return x > 0 ? C{1} : (x < 0 ? C{-1} : x);  // keeps NaN and signed zero
  }
};
struct FloorFn {
  template <class C>
  C operator()(C x) const { return std::floor(x); }
};
struct CeilFn {
  template <class C>
  C operator()(C x) const { return std::ceil(x); }
};
struct RoundFn {  // halves to even, as the default rounding mode does
  template <class C>
  C operator()(C x) const { return std::nearbyint(x); }
};
struct IsNaNFn {
  template <class C>
  bool operator()(C x) const { return x != x; }
};
struct NotFn {
  bool operator()(bool x) const { return !x; }
};

// libm functions without a vectorised form here; their cost makes the small grain right.
#define ONNXGEN_LIBM_FN(Name, call)             \
  struct Name {                                 \
    template <class C>                          \
    C operator()(C x) const { return call(x); } \
  };
ONNXGEN_LIBM_FN(SinFn, std::sin)
ONNXGEN_LIBM_FN(CosFn, std::cos)
ONNXGEN_LIBM_FN(TanFn, std::tan)
ONNXGEN_LIBM_FN(AsinFn, std::asin)
ONNXGEN_LIBM_FN(AcosFn, std::acos)
ONNXGEN_LIBM_FN(AtanFn, std::atan)
ONNXGEN_LIBM_FN(SinhFn, std::sinh)
ONNXGEN_LIBM_FN(CoshFn, std::cosh)
ONNXGEN_LIBM_FN(AsinhFn, std::asinh)
ONNXGEN_LIBM_FN(AcoshFn, std::acosh)
ONNXGEN_LIBM_FN(AtanhFn, std::atanh)
#undef ONNXGEN_LIBM_FN

class IsInf {
 public:
  static constexpr TypeGroup kTypes = TypeGroup::kFloat;
  static constexpr int64_t kGrain = kCheapGrain;
  explicit IsInf(const KernelInit& init)
      : negative_(init.attrs().get_int("detect_negative", 1) != 0),
        positive_(init.attrs().get_int("detect_positive", 1) != 0) {}
  template <class T>
  auto fn() const {
    return lift<T>([neg = negative_, pos = positive_](auto x) {
      using C = decltype(x);
      return (pos && x == std::numeric_limits<C>::infinity()) || (neg && x == -std::numeric_limits<C>::infinity());
    });
  }

 private:
  bool negative_;
  bool positive_;
};

using Abs = PureUnaryKernel<TypeGroup::kNumeric, kCheapGrain, AbsFn>;
using Neg = PureUnaryKernel<TypeGroup::kSignedOrFloat, kCheapGrain, NegFn>;
using Exp = PureUnaryKernel<TypeGroup::kFloat, kCostlyGrain, ExpFn>;
using Log = PureUnaryKernel<TypeGroup::kFloat, kCostlyGrain, LogFn>;
using Tanh = PureUnaryKernel<TypeGroup::kFloat, kCostlyGrain, TanhFn>;
using Erf = PureUnaryKernel<TypeGroup::kFloat, kCostlyGrain, ErfFn>;
using Sigmoid = PureUnaryKernel<TypeGroup::kFloat, kCostlyGrain, SigmoidFn>;
using Softplus = PureUnaryKernel<TypeGroup::kFloat, kCostlyGrain, SoftplusFn>;
using Softsign = PureUnaryKernel<TypeGroup::kFloat, kCheapGrain, SoftsignFn>;
using Sqrt = PureUnaryKernel<TypeGroup::kFloat, kCheapGrain, SqrtFn>;
using Reciprocal = PureUnaryKernel<TypeGroup::kFloat, kCheapGrain, ReciprocalFn>;
using Sign = PureUnaryKernel<TypeGroup::kNumeric, kCheapGrain, SignFn>;
using Floor = PureUnaryKernel<TypeGroup::kFloat, kCheapGrain, FloorFn>;
using Ceil = PureUnaryKernel<TypeGroup::kFloat, kCheapGrain, CeilFn>;
using Round = PureUnaryKernel<TypeGroup::kFloat, kCheapGrain, RoundFn>;
using IsNaN = PureUnaryKernel<TypeGroup::kFloat, kCheapGrain, IsNaNFn>;
using Not = PureUnaryKernel<TypeGroup::kBool, kCheapGrain, NotFn>;
template <class F>
using Libm = PureUnaryKernel<TypeGroup::kFloat, kCostlyGrain, F>;

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Abs", 1, ONNXGEN_LATEST, Abs);
ONNXGEN_REGISTER_KERNEL("", "Neg", 1, ONNXGEN_LATEST, Neg);
ONNXGEN_REGISTER_KERNEL("", "Exp", 1, ONNXGEN_LATEST, Exp);
ONNXGEN_REGISTER_KERNEL("", "Log", 1, ONNXGEN_LATEST, Log);
ONNXGEN_REGISTER_KERNEL("", "Tanh", 1, ONNXGEN_LATEST, Tanh);
ONNXGEN_REGISTER_KERNEL("", "Erf", 9, ONNXGEN_LATEST, Erf);
ONNXGEN_REGISTER_KERNEL("", "Sigmoid", 1, ONNXGEN_LATEST, Sigmoid);
ONNXGEN_REGISTER_KERNEL("", "Softplus", 1, ONNXGEN_LATEST, Softplus);
ONNXGEN_REGISTER_KERNEL("", "Softsign", 1, ONNXGEN_LATEST, Softsign);
ONNXGEN_REGISTER_KERNEL("", "Sqrt", 1, ONNXGEN_LATEST, Sqrt);
ONNXGEN_REGISTER_KERNEL("", "Reciprocal", 1, ONNXGEN_LATEST, Reciprocal);
ONNXGEN_REGISTER_KERNEL("", "Sign", 9, ONNXGEN_LATEST, Sign);
ONNXGEN_REGISTER_KERNEL("", "Floor", 1, ONNXGEN_LATEST, Floor);
ONNXGEN_REGISTER_KERNEL("", "Ceil", 1, ONNXGEN_LATEST, Ceil);
ONNXGEN_REGISTER_KERNEL("", "Round", 11, ONNXGEN_LATEST, Round);
ONNXGEN_REGISTER_KERNEL("", "IsNaN", 9, ONNXGEN_LATEST, IsNaN);
ONNXGEN_REGISTER_KERNEL("", "IsInf", 10, ONNXGEN_LATEST, UnaryKernel<IsInf>);
ONNXGEN_REGISTER_KERNEL("", "Not", 1, ONNXGEN_LATEST, Not);
ONNXGEN_REGISTER_KERNEL("", "Sin", 7, ONNXGEN_LATEST, Libm<SinFn>);
ONNXGEN_REGISTER_KERNEL("", "Cos", 7, ONNXGEN_LATEST, Libm<CosFn>);
ONNXGEN_REGISTER_KERNEL("", "Tan", 7, ONNXGEN_LATEST, Libm<TanFn>);
ONNXGEN_REGISTER_KERNEL("", "Asin", 7, ONNXGEN_LATEST, Libm<AsinFn>);
ONNXGEN_REGISTER_KERNEL("", "Acos", 7, ONNXGEN_LATEST, Libm<AcosFn>);
ONNXGEN_REGISTER_KERNEL("", "Atan", 7, ONNXGEN_LATEST, Libm<AtanFn>);
ONNXGEN_REGISTER_KERNEL("", "Sinh", 9, ONNXGEN_LATEST, Libm<SinhFn>);
ONNXGEN_REGISTER_KERNEL("", "Cosh", 9, ONNXGEN_LATEST, Libm<CoshFn>);
ONNXGEN_REGISTER_KERNEL("", "Asinh", 9, ONNXGEN_LATEST, Libm<AsinhFn>);
ONNXGEN_REGISTER_KERNEL("", "Acosh", 9, ONNXGEN_LATEST, Libm<AcoshFn>);
ONNXGEN_REGISTER_KERNEL("", "Atanh", 9, ONNXGEN_LATEST, Libm<AtanhFn>);

}  // namespace onnxgen
