// Einsum over any equation: repeated labels (diagonals), ellipsis broadcasting, implicit output.
// Operands are contracted left to right; each step views both operands through strides as
// [batch, free, summed] matrices (a repeated label's strides add up, which takes the diagonal;
// a label an operand lacks gets stride 0) and runs one batched matrix product.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/batched_gemm.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

// Letters keep their character code as label; ellipsis dimensions get labels from kEllipsis on.
constexpr int kEllipsis = 256;
constexpr int kEllipsisMarker = -1;

std::vector<int> parse_term(const std::string& term) {
  std::vector<int> labels;
  bool ellipsis = false;
  for (size_t i = 0; i < term.size(); ++i) {
    const char c = term[i];
    if (c == ' ') continue;
    if (c == '.') {
      ONNXGEN_CHECK(term.compare(i, 3, "...") == 0 && !ellipsis, "malformed ellipsis in Einsum term '", term, "'");
      ellipsis = true;
      labels.push_back(kEllipsisMarker);
      i += 2;
      continue;
    }
    ONNXGEN_CHECK(std::isalpha(static_cast<unsigned char>(c)), "invalid character '", c, "' in Einsum equation");
    labels.push_back(static_cast<unsigned char>(c));
  }
  return labels;
}

struct Operand {
  Tensor tensor;
  std::vector<int> labels;  // one per dimension; may repeat
};

class Einsum : public OpKernel {
 public:
  explicit Einsum(const KernelInit& init) {
    const std::string eq = init.attrs().get_string("equation", "");
    const size_t arrow = eq.find("->");
    const std::string lhs = eq.substr(0, arrow);
    size_t start = 0;
    for (;;) {
      const size_t comma = lhs.find(',', start);
      inputs_.push_back(parse_term(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    explicit_output_ = arrow != std::string::npos;
    if (explicit_output_) output_ = parse_term(eq.substr(arrow + 2));
  }

  void compute(KernelContext& ctx) override {
    ONNXGEN_CHECK(ctx.num_inputs() == inputs_.size(), "Einsum equation has ", inputs_.size(), " operands, got ",
                  ctx.num_inputs(), " inputs");
    std::vector<Operand> ops;
    int64_t ellipsis_rank = 0;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const Tensor& t = ctx.required(i);
      ONNXGEN_CHECK(t.dtype() == ctx.required(0).dtype(), "Einsum operands differ in type: ", t.describe(), " vs ",
                    ctx.required(0).describe());
      const int64_t letters = std::count_if(inputs_[i].begin(), inputs_[i].end(), [](int l) { return l != kEllipsisMarker; });
      const bool has_ellipsis = static_cast<int64_t>(inputs_[i].size()) != letters;
      ONNXGEN_CHECK(has_ellipsis ? static_cast<int64_t>(t.rank()) >= letters : static_cast<int64_t>(t.rank()) == letters,
                    "Einsum operand ", i, " ", t.describe(), " does not match its term of ", letters, " labels");
      ellipsis_rank = std::max(ellipsis_rank, static_cast<int64_t>(t.rank()) - letters);
      ops.push_back({t, {}});
    }
    // Ellipsis dims are right-aligned across operands, as numpy broadcasts them.
    for (size_t i = 0; i < ops.size(); ++i) {
      const int64_t own = static_cast<int64_t>(ops[i].tensor.rank()) + 1 - static_cast<int64_t>(inputs_[i].size());
      for (int l : inputs_[i]) {
        if (l != kEllipsisMarker) ops[i].labels.push_back(l);
        else
          for (int64_t e = 0; e < own; ++e) ops[i].labels.push_back(kEllipsis + static_cast<int>(ellipsis_rank - own + e));
      }
    }
    std::map<int, int64_t> sizes;
    for (const Operand& op : ops)
      for (size_t d = 0; d < op.labels.size(); ++d) {
        const int64_t n = op.tensor.dim(d);
        auto [it, fresh] = sizes.emplace(op.labels[d], n);
        if (!fresh && it->second != n) {
          ONNXGEN_CHECK(it->second == 1 || n == 1, "Einsum label has sizes ", it->second, " and ", n);
          it->second = std::max(it->second, n);
        }
      }
    const std::vector<int> out_labels = output_labels(ops, ellipsis_rank);
    for (int l : out_labels) ONNXGEN_CHECK(sizes.count(l), "Einsum output label '", static_cast<char>(l), "' is in no input");

    Shape out_shape;
    for (int l : out_labels) out_shape.push_back(sizes[l]);
    dispatch_numeric(ops[0].tensor.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if (ops.size() == 1) {
        // A lone operand contracts with the scalar 1, which sums away the labels not kept.
        Tensor one = Tensor::empty(ops[0].tensor.dtype(), {});
        *one.data<T>() = static_cast<T>(1);
        ops.push_back({one, {}});
      }
      Operand acc = ops[0];
      for (size_t i = 1; i < ops.size(); ++i) {
        std::set<int> keep(out_labels.begin(), out_labels.end());
        for (size_t j = i + 1; j < ops.size(); ++j) keep.insert(ops[j].labels.begin(), ops[j].labels.end());
        acc = contract<T>(acc, ops[i], keep, sizes, ctx.pool());
      }
      Tensor& y = ctx.allocate(0, acc.tensor.dtype(), out_shape);
      strided_copy(acc.tensor, y, view_of(acc, out_labels, sizes), ctx.pool());
    });
  }

 private:
  std::vector<int> output_labels(const std::vector<Operand>& ops, int64_t ellipsis_rank) const {
    std::vector<int> out;
    if (explicit_output_) {
      for (int l : output_) {
        if (l == kEllipsisMarker)
          for (int64_t e = 0; e < ellipsis_rank; ++e) out.push_back(kEllipsis + static_cast<int>(e));
        else {
          ONNXGEN_CHECK(std::find(out.begin(), out.end(), l) == out.end(), "Einsum output repeats label '",
                        static_cast<char>(l), "'");
          out.push_back(l);
        }
      }
      return out;
    }
    // Implicit output: the ellipsis dims, then the letters used once, in alphabetical order.
    std::map<int, int> count;
    for (const Operand& op : ops)
      for (int l : op.labels) ++count[l];
    for (int64_t e = 0; e < ellipsis_rank; ++e) out.push_back(kEllipsis + static_cast<int>(e));
    for (auto [l, c] : count)
      if (l < kEllipsis && c == 1) out.push_back(l);
    return out;
  }

  // `op` read as a tensor with one dim per label in `labels` (sizes from `sizes`).
  static StridedView view_of(const Operand& op, const std::vector<int>& labels, const std::map<int, int64_t>& sizes) {
    const Shape strides = strides_of(op.tensor.shape());
    StridedView v;
    for (int l : labels) {
      int64_t stride = 0;
      for (size_t d = 0; d < op.labels.size(); ++d)
        if (op.labels[d] == l && op.tensor.dim(d) != 1) stride += strides[d];
      v.shape.push_back(sizes.at(l));
      v.strides.push_back(stride);
    }
    return v;
  }

  template <class T>
  static Operand contract(const Operand& x, const Operand& y, const std::set<int>& keep, const std::map<int, int64_t>& sizes,
                          ThreadPool& pool) {
    auto has = [](const Operand& o, int l) { return std::find(o.labels.begin(), o.labels.end(), l) != o.labels.end(); };
    std::vector<int> batch, left, right, summed;
    std::set<int> seen;
    for (const Operand* o : {&x, &y})
      for (int l : o->labels) {
        if (!seen.insert(l).second) continue;
        if (!keep.count(l)) summed.push_back(l);
        else if (has(x, l) && has(y, l)) batch.push_back(l);
        else if (has(x, l)) left.push_back(l);
        else right.push_back(l);
      }
    auto concat = [](std::vector<int> a, const std::vector<int>& b, const std::vector<int>& c) {
      a.insert(a.end(), b.begin(), b.end());
      a.insert(a.end(), c.begin(), c.end());
      return a;
    };
    auto extent = [&](const std::vector<int>& ls) {
      int64_t n = 1;
      for (int l : ls) n *= sizes.at(l);
      return n;
    };
    GemmProblem p;
    const int64_t b = extent(batch);
    p.batch_a = p.batch_b = p.batch_c = {b};
    p.m = extent(left);
    p.k = extent(summed);
    p.n = extent(right);
    Tensor a = Tensor::empty(x.tensor.dtype(), {b, p.m, p.k});
    Tensor bm = Tensor::empty(y.tensor.dtype(), {b, p.k, p.n});
    StridedView va = view_of(x, concat(batch, left, summed), sizes), vb = view_of(y, concat(batch, summed, right), sizes);
    strided_copy(x.tensor, a, va, pool);
    strided_copy(y.tensor, bm, vb, pool);
    Operand r{Tensor::empty(x.tensor.dtype(), {b, p.m, p.n}), {}};
    batched_gemm_any<T>(p, a.data<T>(), bm.data<T>(), r.tensor.data<T>(), pool);
    r.labels = concat(batch, left, right);
    Shape shape;
    for (int l : r.labels) shape.push_back(sizes.at(l));
    r.tensor = r.tensor.reshaped(shape);
    return r;
  }

  std::vector<std::vector<int>> inputs_;
  std::vector<int> output_;
  bool explicit_output_ = false;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Einsum", 12, ONNXGEN_LATEST, Einsum);

}  // namespace onnxgen
