// ai.onnx.ml TreeEnsemble (opset 5): each tree routes a row from its root through comparison
// nodes to one leaf, whose weight goes to the leaf's target; trees combine by sum, average, min
// or max. Set-membership nodes take their members, in node order, from membership_values
// (sets separated by NaN). Only the identity post_transform is implemented.
#include <cmath>
#include <limits>
#include <set>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

enum class Mode : uint8_t { kLeq, kLt, kGte, kGt, kEq, kNeq, kMember };

std::vector<double> doubles(const AttributeMap& a, const std::string& name, bool required = true) {
  const Tensor* t = a.get_tensor(name);
  if (!t) {
    ONNXGEN_CHECK(!required, "attribute '", name, "' is required");
    return {};
  }
  std::vector<double> out(static_cast<size_t>(t->numel()));
  for (int64_t i = 0; i < t->numel(); ++i) out[i] = t->to_double(i);
  return out;
}

class TreeEnsemble : public OpKernel {
 public:
  explicit TreeEnsemble(const KernelInit& init) {
    const AttributeMap& a = init.attrs();
    splits_ = doubles(a, "nodes_splits");
    for (double m : doubles(a, "nodes_modes")) modes_.push_back(static_cast<Mode>(static_cast<int>(m)));
    features_ = a.get_ints("nodes_featureids");
    true_ids_ = a.get_ints("nodes_truenodeids");
    false_ids_ = a.get_ints("nodes_falsenodeids");
    true_leafs_ = a.get_ints("nodes_trueleafs");
    false_leafs_ = a.get_ints("nodes_falseleafs");
    missing_true_ = a.get_ints("nodes_missing_value_tracks_true");
    leaf_targets_ = a.get_ints("leaf_targetids");
    leaf_weights_ = doubles(a, "leaf_weights");
    roots_ = a.get_ints("tree_roots");
    targets_ = a.get_int("n_targets");
    aggregate_ = a.get_int("aggregate_function", 1);
    ONNXGEN_CHECK(aggregate_ >= 0 && aggregate_ <= 3, "unsupported aggregate_function ", aggregate_);
    ONNXGEN_CHECK(a.get_int("post_transform", 0) == 0, "only post_transform NONE is supported");
    const size_t nodes = splits_.size();
    for (size_t size : {modes_.size(), features_.size(), true_ids_.size(), false_ids_.size(), true_leafs_.size(),
                        false_leafs_.size()})
      ONNXGEN_CHECK(size == nodes, "the nodes_* attributes must all have ", nodes, " entries");
    ONNXGEN_CHECK(missing_true_.empty() || missing_true_.size() == nodes, "nodes_missing_value_tracks_true must have ",
                  nodes, " entries");
    ONNXGEN_CHECK(leaf_targets_.size() == leaf_weights_.size(), "leaf_targetids and leaf_weights differ in length");
    for (int64_t t : leaf_targets_) ONNXGEN_CHECK(t >= 0 && t < targets_, "leaf target ", t, " outside [0, ", targets_, ")");
    const std::vector<double> members = doubles(a, "membership_values", false);
    size_t m = 0;
    sets_.resize(nodes);
    for (size_t i = 0; i < nodes; ++i) {
      if (modes_[i] != Mode::kMember) continue;
      for (; m < members.size() && !std::isnan(members[m]); ++m) sets_[i].insert(members[m]);
      ONNXGEN_CHECK(m < members.size(), "membership_values has fewer NaN-terminated sets than member nodes");
      ++m;
    }
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.rank() == 2, "X must be [N, features], got ", x.describe());
    const int64_t rows = x.dim(0), width = x.dim(1);
    Tensor& y = ctx.allocate(0, x.dtype(), {rows, targets_});
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      std::vector<double> acc(static_cast<size_t>(targets_));
      for (int64_t r = 0; r < rows; ++r) {
        const double init = aggregate_ == 2 ? std::numeric_limits<C>::max() : aggregate_ == 3 ? std::numeric_limits<C>::lowest() : 0;
        std::fill(acc.begin(), acc.end(), init);
        for (int64_t root : roots_) {
          const int64_t leaf = route(in + r * width, width, root);
          double& slot = acc[static_cast<size_t>(leaf_targets_[leaf])];
          const double w = leaf_weights_[leaf];
          if (aggregate_ == 0) slot += w / static_cast<double>(roots_.size());
          else if (aggregate_ == 1) slot += w;
          else if (aggregate_ == 2) slot = std::min(slot, w);
          else slot = std::max(slot, w);
        }
        for (int64_t t = 0; t < targets_; ++t) out[r * targets_ + t] = T(static_cast<C>(acc[static_cast<size_t>(t)]));
      }
    });
  }

 private:
  // The leaf a row reaches from `node`.
  template <class T>
  int64_t route(const T* row, int64_t width, int64_t node) const {
    const int64_t nodes = static_cast<int64_t>(splits_.size());
    // A root whose branches are the same leaf is a one-leaf tree.
    if (true_leafs_[node] && false_leafs_[node] && true_ids_[node] == false_ids_[node]) return true_ids_[node];
    for (int64_t steps = 0; steps <= nodes; ++steps) {
      ONNXGEN_CHECK(node >= 0 && node < nodes, "tree node ", node, " outside [0, ", nodes, ")");
      const int64_t f = features_[node];
      ONNXGEN_CHECK(f >= 0 && f < width, "feature ", f, " outside the row of ", width);
      const double v = static_cast<double>(static_cast<compute_t<T>>(row[f]));
      const bool go_true = (std::isnan(v) && !missing_true_.empty() && missing_true_[node]) || test(node, v);
      const int64_t next = go_true ? true_ids_[node] : false_ids_[node];
      if (go_true ? true_leafs_[node] : false_leafs_[node]) {
        ONNXGEN_CHECK(next >= 0 && next < static_cast<int64_t>(leaf_weights_.size()), "leaf ", next, " out of range");
        return next;
      }
      node = next;
    }
    fail("tree from node ", node, " does not reach a leaf");
  }

  bool test(int64_t node, double v) const {
    const double s = splits_[node];
    switch (modes_[node]) {
      case Mode::kLeq: return v <= s;
      case Mode::kLt: return v < s;
      case Mode::kGte: return v >= s;
      case Mode::kGt: return v > s;
      case Mode::kEq: return v == s;
      case Mode::kNeq: return v != s;
      case Mode::kMember: return sets_[node].count(v) != 0;
    }
    fail("unsupported node mode ", static_cast<int>(modes_[node]));
  }

  std::vector<double> splits_, leaf_weights_;
  std::vector<Mode> modes_;
  std::vector<int64_t> features_, true_ids_, false_ids_, true_leafs_, false_leafs_, missing_true_, leaf_targets_, roots_;
  std::vector<std::set<double>> sets_;
  int64_t targets_ = 0, aggregate_ = 1;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("ai.onnx.ml", "TreeEnsemble", 5, ONNXGEN_LATEST, TreeEnsemble);

}  // namespace onnxgen
