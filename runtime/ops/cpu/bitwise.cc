// Bit operations on integers: BitShift (unsigned from opset 11, signed from 28) and BitwiseAnd/Or/Xor/Not (opset 18).
#include <functional>
#include <limits>
#include <type_traits>

#include "runtime/ops/cpu/binary_op.h"
#include "runtime/ops/cpu/unary_op.h"

namespace onnxgen {
namespace {

template <class G>
struct Bitwise {
  static constexpr TypeGroup kTypes = TypeGroup::kInteger;
  static constexpr int64_t kGrain = kCheapGrain;
  explicit Bitwise(const KernelInit&) {}
  template <class T>
  auto fn(const Tensor&) const {
    return [](T x, T y) { return static_cast<T>(G{}(x, y)); };
  }
};

struct BitwiseNotFn {
  template <class C>
  C operator()(C x) const { return static_cast<C>(~x); }
};

// Shifting by the type's width or more is undefined in C++; ONNX means all bits shifted out.
class BitShift {
 public:
  // Signed types arrive in opset 28: left shifts wrap as on the unsigned bits, right shifts are
  // arithmetic, and a shift outside [0, bits) gives 0 (or -1 for a negative value shifted right).
  static constexpr TypeGroup kTypes = TypeGroup::kInteger;
  static constexpr int64_t kGrain = kCheapGrain;
  explicit BitShift(const KernelInit& init) {
    const std::string direction = init.attrs().get_string("direction", "");
    ONNXGEN_CHECK(direction == "LEFT" || direction == "RIGHT", "BitShift direction must be LEFT or RIGHT, got '",
                  direction, "'");
    left_ = direction == "LEFT";
  }
  template <class T>
  auto fn(const Tensor&) const {
    return [left = left_](T x, T s) -> T {
      using U = std::make_unsigned_t<T>;
      constexpr T kBits = static_cast<T>(sizeof(T) * 8);
      bool negative = false, out_of_range = s >= kBits;
      if constexpr (std::is_signed_v<T>) {
        negative = x < 0;
        out_of_range = out_of_range || s < 0;
      }
      if (out_of_range) return !left && negative ? T(-1) : T(0);
      return left ? static_cast<T>(static_cast<U>(static_cast<U>(x) << s)) : static_cast<T>(x >> s);
    };
  }

 private:
  bool left_ = true;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "BitShift", 11, ONNXGEN_LATEST, BinaryKernel<BitShift>);
ONNXGEN_REGISTER_KERNEL("", "BitwiseAnd", 18, ONNXGEN_LATEST, BinaryKernel<Bitwise<std::bit_and<>>>);
ONNXGEN_REGISTER_KERNEL("", "BitwiseOr", 18, ONNXGEN_LATEST, BinaryKernel<Bitwise<std::bit_or<>>>);
ONNXGEN_REGISTER_KERNEL("", "BitwiseXor", 18, ONNXGEN_LATEST, BinaryKernel<Bitwise<std::bit_xor<>>>);
ONNXGEN_REGISTER_KERNEL("", "BitwiseNot", 18, ONNXGEN_LATEST, PureUnaryKernel<TypeGroup::kInteger, kCheapGrain, BitwiseNotFn>);

}  // namespace onnxgen
