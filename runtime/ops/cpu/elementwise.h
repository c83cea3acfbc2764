#pragma once
// Applying an element function over tensors: map (one input) and zip (two inputs, broadcast),
// chunked over the thread pool. The inner loops are templates compiled per ISA
// (ONNXGEN_SIMD_CLONES), so an inlined float function vectorises with AVX-512/AVX2 where it can.
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "runtime/core/simd.h"
#include "runtime/core/tensor.h"
#include "runtime/core/thread_pool.h"
#include "runtime/ops/cpu/broadcast.h"
#include "runtime/ops/cpu/type_dispatch.h"

namespace onnxgen {

// Elements per parallel chunk: big enough that waking a thread pays off.
inline constexpr int64_t kCheapGrain = int64_t{1} << 15;  // a few cycles per element
inline constexpr int64_t kCostlyGrain = int64_t{1} << 12;  // transcendental functions

// Wraps g, a function of compute types, as a function of storage type T: half types are widened
// to float and the result narrowed back to T; a bool result (comparisons, predicates) stays bool.
template <class T, class G>
auto lift(G g) {
  return [g](const auto&... xs) {
    using R = decltype(g(widen(xs)...));
    if constexpr (std::is_same_v<R, bool>) return g(widen(xs)...);
    else return to_storage<T>(g(widen(xs)...));
  };
}

// Signed overflow is undefined in C++ while ONNX, like numpy, wraps; and small unsigned types
// promote to int, where products can overflow. So integer arithmetic runs in a wide unsigned type.
template <class C, class G>
inline C wrapping(C x, C y, G g) {
  if constexpr (is_int_v<C>) {
    using U = std::conditional_t<(sizeof(C) < 4), uint32_t, std::make_unsigned_t<C>>;
    return static_cast<C>(g(static_cast<U>(x), static_cast<U>(y)));
  } else {
    return g(x, y);
  }
}

namespace elementwise_detail {

template <class F, class TI, class TO>
ONNXGEN_SIMD_CLONES void map_loop(const TI* x, TO* y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

template <class F, class TA, class TB, class TO>
ONNXGEN_SIMD_CLONES void zip_loop(const TA* a, const TB* b, TO* y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], b[i]);
}

template <class F, class TA, class TB, class TO>
ONNXGEN_SIMD_CLONES void zip_loop_scalar_b(const TA* a, const TB& b, TO* y, int64_t n, F f) {
  const TB bv = b;
  for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], bv);
}

template <class F, class TA, class TB, class TO>
ONNXGEN_SIMD_CLONES void zip_loop_scalar_a(const TA& a, const TB* b, TO* y, int64_t n, F f) {
  const TA av = a;
  for (int64_t i = 0; i < n; ++i) y[i] = f(av, b[i]);
}

// One run of a broadcast: each operand either advances with the output or repeats one value.
template <class TA, class TB, class TO, class F>
void zip_run(const TA* a, bool a_advances, const TB* b, bool b_advances, TO* y, int64_t n, const F& f) {
  if (a_advances && b_advances) zip_loop(a, b, y, n, f);
  else if (a_advances) zip_loop_scalar_b(a, *b, y, n, f);
  else if (b_advances) zip_loop_scalar_a(*a, b, y, n, f);
  else std::fill(y, y + n, f(*a, *b));
}

}  // namespace elementwise_detail

// y[i] = f(x[i]) for i in [0, n).
template <class TI, class TO, class F>
void map_elements(ThreadPool& pool, const TI* x, TO* y, int64_t n, int64_t grain, const F& f) {
  pool.parallel_for(n, grain, [&](int64_t begin, int64_t end) {
    elementwise_detail::map_loop(x + begin, y + begin, end - begin, f);
  });
}

// y = f(a, b) with numpy broadcasting; y must have the broadcast shape (it may be `a` itself).
template <class TA, class TB, class TO, class F>
void zip_broadcast(ThreadPool& pool, const Tensor& a, const Tensor& b, Tensor& y, int64_t grain, const F& f) {
  using elementwise_detail::zip_run;
  const TA* pa = a.data<TA>();
  const TB* pb = b.data<TB>();
  TO* py = y.data<TO>();
  const int64_t n = y.numel();
  if (n == 0) return;
  if (a.numel() == n && b.numel() == n) {
    pool.parallel_for(n, grain, [&](int64_t s, int64_t e) { zip_run(pa + s, true, pb + s, true, py + s, e - s, f); });
  } else if (a.numel() == n && b.numel() == 1) {
    pool.parallel_for(n, grain, [&](int64_t s, int64_t e) { zip_run(pa + s, true, pb, false, py + s, e - s, f); });
  } else if (a.numel() == 1 && b.numel() == n) {
    pool.parallel_for(n, grain, [&](int64_t s, int64_t e) { zip_run(pa, false, pb + s, true, py + s, e - s, f); });
  } else {
    const Broadcast<2> plan({&a.shape(), &b.shape()});
    ONNXGEN_CHECK(plan.numel() == n, "broadcast of ", to_string(a.shape()), " and ", to_string(b.shape()),
                  " does not fill output ", to_string(y.shape()));
    const bool a_adv = plan.inner_contiguous(0);
    const bool b_adv = plan.inner_contiguous(1);
    pool.parallel_for(n, grain, [&](int64_t s, int64_t e) {
      plan.for_each_run(s, e, [&](int64_t out, const Broadcast<2>::Offsets& at, int64_t len) {
        zip_run(pa + at[0], a_adv, pb + at[1], b_adv, py + out, len, f);
      });
    });
  }
}

}  // namespace onnxgen
