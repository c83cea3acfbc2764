// Unique: the distinct elements (or slices along an axis) of the input, sorted or in order of
// first occurrence, with the first-occurrence index, the inverse mapping and the counts.
#include <cmath>
#include <numeric>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/numeric_or_bool.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

class Unique : public OpKernel {
 public:
  explicit Unique(const KernelInit& init) : sorted_(init.attrs().get_int("sorted", 1) != 0) {
    if (init.attrs().has("axis")) axis_ = init.attrs().get_int("axis");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& input = ctx.required(0);
    const Tensor x = axis_ ? input : input.reshaped({input.numel()});
    const int64_t axis = axis_ ? normalize_axis(*axis_, static_cast<int64_t>(x.rank())) : 0;
    const Shape& s = x.shape();
    const int64_t n = s[axis];
    const int64_t outer = num_elements(Shape(s.begin(), s.begin() + axis));
    const int64_t inner = num_elements(Shape(s.begin() + axis + 1, s.end()));
    // order: slice indices sorted by value (ties by position), so equal slices are adjacent and
    // each run starts with the first occurrence.
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::vector<int64_t> group_of(static_cast<size_t>(n));
    std::vector<int64_t> firsts, counts;
    auto group = [&](auto tag) {
      using T = decltype(tag);
      const T* p = x.data<T>();
      // -1, 0, 1 as slice a orders before, equal to, after slice b.
      auto cmp = [&](int64_t a, int64_t b) {
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            const auto& va = p[(o * n + a) * inner + i];
            const auto& vb = p[(o * n + b) * inner + i];
            if (compute_less(va, vb)) return -1;
            if (compute_less(vb, va)) return 1;
          }
        return 0;
      };
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return cmp(a, b) < 0; });
      for (size_t k = 0; k < order.size(); ++k) {
        if (k == 0 || cmp(order[k - 1], order[k]) != 0) {
          firsts.push_back(order[k]);
          counts.push_back(0);
        }
        group_of[order[k]] = static_cast<int64_t>(firsts.size()) - 1;
        ++counts.back();
      }
    };
    if (x.dtype() == DataType::kString)
      group(std::string{});
    else
      dispatch_numeric_or_bool(x.dtype(), group);

    // rank[g]: output position of group g.
    std::vector<int64_t> rank(firsts.size());
    std::iota(rank.begin(), rank.end(), 0);
    if (!sorted_) std::sort(rank.begin(), rank.end(), [&](int64_t a, int64_t b) { return firsts[a] < firsts[b]; });
    std::vector<int64_t> position(rank.size());
    for (size_t k = 0; k < rank.size(); ++k) position[rank[k]] = static_cast<int64_t>(k);
    std::vector<int64_t> out_first(rank.size()), out_count(rank.size()), inverse(static_cast<size_t>(n));
    for (size_t g = 0; g < rank.size(); ++g) {
      out_first[position[g]] = firsts[g];
      out_count[position[g]] = counts[g];
    }
    for (int64_t i = 0; i < n; ++i) inverse[i] = position[group_of[i]];

    Shape out_shape = s;
    out_shape[axis] = static_cast<int64_t>(out_first.size());
    Tensor& y = ctx.allocate(0, x.dtype(), out_shape);
    dispatch_by_size(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = elements_of<T>(x);
      T* out = mutable_elements_of<T>(y);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t f : out_first) out = std::copy(src + (o * n + f) * inner, src + (o * n + f + 1) * inner, out);
    });
    if (ctx.output_wanted(1)) ctx.set_output(1, int64_vector_tensor(out_first));
    if (ctx.output_wanted(2)) ctx.set_output(2, int64_vector_tensor(inverse));
    if (ctx.output_wanted(3)) ctx.set_output(3, int64_vector_tensor(out_count));
  }

 private:
  // A strict weak order for sorting: NaNs sort last and equal to each other, as NumPy's unique
  // does, instead of breaking the order (which sorting may not survive).
  template <class T>
  static bool compute_less(const T& a, const T& b) {
    if constexpr (std::is_same_v<T, std::string>) {
      return a < b;
    } else {
      const auto x = static_cast<compute_t<T>>(a), y = static_cast<compute_t<T>>(b);
      if constexpr (std::is_floating_point_v<decltype(x)>)
        if (std::isnan(x) || std::isnan(y)) return !std::isnan(x);
      return x < y;
    }
  }

  bool sorted_;
  std::optional<int64_t> axis_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Unique", 11, ONNXGEN_LATEST, Unique);

}  // namespace onnxgen
