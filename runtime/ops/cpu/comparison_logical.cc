// Comparisons (Equal Greater Less GreaterOrEqual LessOrEqual) and logical And Or Xor, with
// broadcasting; all produce bool.
#include <functional>

#include "runtime/ops/cpu/binary_op.h"

namespace onnxgen {
namespace {

template <TypeGroup G, class Cmp>
struct Predicate {
  static constexpr TypeGroup kTypes = G;
  static constexpr int64_t kGrain = kCheapGrain;
  explicit Predicate(const KernelInit&) {}
  template <class T>
  auto fn(const Tensor&) const {
    return lift<T>([](const auto& x, const auto& y) -> bool { return Cmp{}(x, y); });
  }
};

using Equal = BinaryKernel<Predicate<TypeGroup::kAll, std::equal_to<>>>;
using Greater = BinaryKernel<Predicate<TypeGroup::kNumeric, std::greater<>>>;
using Less = BinaryKernel<Predicate<TypeGroup::kNumeric, std::less<>>>;
using GreaterOrEqual = BinaryKernel<Predicate<TypeGroup::kNumeric, std::greater_equal<>>>;
using LessOrEqual = BinaryKernel<Predicate<TypeGroup::kNumeric, std::less_equal<>>>;
using And = BinaryKernel<Predicate<TypeGroup::kBool, std::logical_and<>>>;
using Or = BinaryKernel<Predicate<TypeGroup::kBool, std::logical_or<>>>;
using Xor = BinaryKernel<Predicate<TypeGroup::kBool, std::not_equal_to<>>>;

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Equal", 1, ONNXGEN_LATEST, Equal);
ONNXGEN_REGISTER_KERNEL("", "Greater", 1, ONNXGEN_LATEST, Greater);
ONNXGEN_REGISTER_KERNEL("", "Less", 1, ONNXGEN_LATEST, Less);
ONNXGEN_REGISTER_KERNEL("", "GreaterOrEqual", 12, ONNXGEN_LATEST, GreaterOrEqual);
ONNXGEN_REGISTER_KERNEL("", "LessOrEqual", 12, ONNXGEN_LATEST, LessOrEqual);
ONNXGEN_REGISTER_KERNEL("", "And", 1, ONNXGEN_LATEST, And);
ONNXGEN_REGISTER_KERNEL("", "Or", 1, ONNXGEN_LATEST, Or);
ONNXGEN_REGISTER_KERNEL("", "Xor", 1, ONNXGEN_LATEST, Xor);

}  // namespace onnxgen
