// RNN, LSTM and GRU: forward, reverse and bidirectional, with per-batch sequence_lens,
// initial states, clip, configurable activations, LSTM peepholes/input_forget, GRU
// linear_before_reset, and the batch-first layout. The input projection of every time step is
// one GEMM up front; each step then multiplies the hidden state by R.
#include <cmath>
#include <map>
#include <optional>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/compute_view.h"
#include "runtime/ops/cpu/small_gemm.h"

namespace onnxgen {
namespace {

enum class Cell { kRnn, kLstm, kGru };

struct Activation {
  enum class Kind { kSigmoid, kTanh, kRelu, kAffine, kLeakyRelu, kThresholdedRelu, kScaledTanh, kHardSigmoid, kElu, kSoftsign, kSoftplus };
  Kind kind = Kind::kTanh;
  double alpha = 0, beta = 0;

  static Kind parse(const std::string& name) {
    static const std::map<std::string, Kind> kinds{
        {"Sigmoid", Kind::kSigmoid},   {"Tanh", Kind::kTanh},           {"Relu", Kind::kRelu},
        {"Affine", Kind::kAffine},     {"LeakyRelu", Kind::kLeakyRelu}, {"ThresholdedRelu", Kind::kThresholdedRelu},
        {"ScaledTanh", Kind::kScaledTanh}, {"HardSigmoid", Kind::kHardSigmoid}, {"Elu", Kind::kElu},
        {"Softsign", Kind::kSoftsign}, {"Softplus", Kind::kSoftplus}};
    auto it = kinds.find(name);
    if (it == kinds.end()) fail("unsupported activation '", name, "'");
    return it->second;
  }

  template <class V>
  V operator()(V v) const {
    const V a = static_cast<V>(alpha), b = static_cast<V>(beta);
    switch (kind) {
      case Kind::kSigmoid: return V(1) / (V(1) + std::exp(-v));
      case Kind::kTanh: return std::tanh(v);
      case Kind::kRelu: return std::max(v, V(0));
      case Kind::kAffine: return a * v + b;
      case Kind::kLeakyRelu: return v >= 0 ? v : a * v;
      case Kind::kThresholdedRelu: return v > a ? v : V(0);
      case Kind::kScaledTanh: return a * std::tanh(b * v);
      case Kind::kHardSigmoid: return std::clamp(a * v + b, V(0), V(1));
      case Kind::kElu: return v >= 0 ? v : a * (std::exp(v) - V(1));
      case Kind::kSoftsign: return v / (V(1) + std::abs(v));
      case Kind::kSoftplus: return std::log1p(std::exp(v));
    }
    return v;
  }
};

// Names with their alpha/beta, taken in order from activation_alpha/beta by the functions
// that use them, with the per-function defaults otherwise.
std::vector<Activation> parse_activations(const AttributeMap& a, std::vector<std::string> defaults, int64_t dirs) {
  std::vector<std::string> names = a.get_strings("activations");
  if (names.empty())
    for (int64_t d = 0; d < dirs; ++d) names.insert(names.end(), defaults.begin(), defaults.end());
  ONNXGEN_CHECK(names.size() == defaults.size() * static_cast<size_t>(dirs), "expected ",
                defaults.size() * static_cast<size_t>(dirs), " activations, got ", names.size());
  const std::vector<float> alphas = a.get_floats("activation_alpha"), betas = a.get_floats("activation_beta");
  size_t ai = 0, bi = 0;
  std::vector<Activation> out;
  for (const std::string& n : names) {
    Activation act{Activation::parse(n)};
    const bool has_alpha = n == "Affine" || n == "LeakyRelu" || n == "ThresholdedRelu" || n == "ScaledTanh" ||
                           n == "HardSigmoid" || n == "Elu";
    const bool has_beta = n == "Affine" || n == "ScaledTanh" || n == "HardSigmoid";
    const double default_alpha = n == "LeakyRelu" ? 0.01 : n == "HardSigmoid" ? 0.2 : 1.0;
    const double default_beta = n == "HardSigmoid" ? 0.5 : n == "Affine" ? 0.0 : 1.0;
    if (has_alpha) act.alpha = ai < alphas.size() ? alphas[ai++] : default_alpha;
    if (has_beta) act.beta = bi < betas.size() ? betas[bi++] : default_beta;
    out.push_back(std::move(act));
  }
  return out;
}

// Row-major transpose of a [rows, cols] matrix, in square tiles so reads and writes both stay in
// cache (a plain double loop strides through the whole output per row: a quarter of an LSTM run).
template <class C>
std::vector<C> transposed(const C* m, int64_t rows, int64_t cols) {
  constexpr int64_t kTile = 32;
  std::vector<C> t(static_cast<size_t>(rows * cols));
  for (int64_t r0 = 0; r0 < rows; r0 += kTile)
    for (int64_t c0 = 0; c0 < cols; c0 += kTile)
      for (int64_t r = r0; r < std::min(rows, r0 + kTile); ++r)
        for (int64_t c = c0; c < std::min(cols, c0 + kTile); ++c) t[c * rows + r] = m[r * cols + c];
  return t;
}

template <Cell kCell>
class Recurrent : public OpKernel {
 public:
  static constexpr int64_t kGates = kCell == Cell::kRnn ? 1 : kCell == Cell::kGru ? 3 : 4;

  explicit Recurrent(const KernelInit& init) {
    const AttributeMap& a = init.attrs();
    direction_ = a.get_string("direction", "forward");
    ONNXGEN_CHECK(direction_ == "forward" || direction_ == "reverse" || direction_ == "bidirectional",
                  "unsupported direction '", direction_, "'");
    dirs_ = direction_ == "bidirectional" ? 2 : 1;
    hidden_ = a.get_int("hidden_size", -1);
    layout_ = a.get_int("layout", 0);
    ONNXGEN_CHECK(layout_ == 0 || layout_ == 1, "layout must be 0 or 1, got ", layout_);
    if (a.has("clip")) clip_ = a.get_float("clip", 0);
    ONNXGEN_CHECK(!clip_ || *clip_ > 0, "clip must be positive");
    input_forget_ = a.get_int("input_forget", 0) != 0;
    linear_before_reset_ = a.get_int("linear_before_reset", 0) != 0;
    std::vector<std::string> defaults = kCell == Cell::kRnn   ? std::vector<std::string>{"Tanh"}
                                        : kCell == Cell::kGru ? std::vector<std::string>{"Sigmoid", "Tanh"}
                                                              : std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"};
    per_dir_ = defaults.size();
    acts_ = parse_activations(a, std::move(defaults), dirs_);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const Tensor& w = ctx.required(1);
    const Tensor& r = ctx.required(2);
    ONNXGEN_CHECK(x.rank() == 3, "X must be rank 3, got ", x.describe());
    const int64_t seq = layout_ ? x.dim(1) : x.dim(0), batch = layout_ ? x.dim(0) : x.dim(1), in = x.dim(2);
    const int64_t h = hidden_ > 0 ? hidden_ : r.rank() == 3 ? r.dim(2) : -1;
    ONNXGEN_CHECK(h > 0, "hidden_size is missing");
    const int64_t gh = kGates * h;
    auto expect = [&](const Tensor* t, const Shape& shape, const char* name) {
      if (!t) return;
      ONNXGEN_CHECK(t->shape() == shape, name, " must be ", to_string(shape), ", got ", t->describe());
      ONNXGEN_CHECK(t->dtype() == x.dtype(), name, " is ", to_string(t->dtype()), ", X is ", to_string(x.dtype()));
    };
    expect(&w, {dirs_, gh, in}, "W");
    expect(&r, {dirs_, gh, h}, "R");
    expect(ctx.input(3), {dirs_, 2 * gh}, "B");
    const Shape state_shape = layout_ ? Shape{batch, dirs_, h} : Shape{dirs_, batch, h};
    expect(ctx.input(5), state_shape, "initial_h");
    if constexpr (kCell == Cell::kLstm) {
      expect(ctx.input(6), state_shape, "initial_c");
      expect(ctx.input(7), {dirs_, 3 * h}, "P");
    }
    std::vector<int64_t> lens(static_cast<size_t>(batch), seq);
    if (const Tensor* sl = ctx.input(4)) {
      ONNXGEN_CHECK(sl->dtype() == DataType::kInt32 && sl->rank() == 1 && sl->dim(0) == batch,
                    "sequence_lens must be int32[", batch, "], got ", sl->describe());
      for (int64_t b = 0; b < batch; ++b) {
        lens[b] = sl->to_int64(b);
        ONNXGEN_CHECK(lens[b] >= 0 && lens[b] <= seq, "sequence_lens[", b, "] = ", lens[b], " outside [0, ", seq, "]");
      }
    }
    const Shape y_shape = layout_ ? Shape{batch, seq, dirs_, h} : Shape{seq, dirs_, batch, h};
    Tensor y = ctx.output_wanted(0) ? ctx.allocate(0, x.dtype(), y_shape) : Tensor::empty(x.dtype(), y_shape);
    Tensor yh = ctx.output_wanted(1) ? ctx.allocate(1, x.dtype(), state_shape) : Tensor::empty(x.dtype(), state_shape);
    Tensor yc = kCell == Cell::kLstm && ctx.output_wanted(2) ? ctx.allocate(2, x.dtype(), state_shape)
                                                             : Tensor::empty(x.dtype(), state_shape);
    dispatch_float(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      run<T>(ctx, Sizes{seq, batch, in, h}, lens, y, yh, yc);
    });
  }

 private:
  struct Sizes {
    int64_t seq, batch, in, h;
  };

  // Index of element (t, d, b, j) of Y, and of (d, b, j) of a state, under the layout.
  int64_t y_index(const Sizes& s, int64_t t, int64_t d, int64_t b, int64_t j) const {
    return layout_ ? ((b * s.seq + t) * dirs_ + d) * s.h + j : ((t * dirs_ + d) * s.batch + b) * s.h + j;
  }
  int64_t state_index(const Sizes& s, int64_t d, int64_t b, int64_t j) const {
    return layout_ ? (b * dirs_ + d) * s.h + j : (d * s.batch + b) * s.h + j;
  }

  template <class C>
  C clipped(C v) const {
    return clip_ ? std::clamp(v, static_cast<C>(-*clip_), static_cast<C>(*clip_)) : v;
  }

  template <class T>
  void run(KernelContext& ctx, const Sizes& s, const std::vector<int64_t>& lens, Tensor& y_t, Tensor& yh_t,
           Tensor& yc_t) const {
    using C = compute_t<T>;
    const int64_t h = s.h, gh = kGates * h;
    auto view = [](const Tensor* t) { return t ? std::optional<ComputeView<T>>(std::in_place, t->data<T>(), t->numel()) : std::nullopt; };
    auto xv = view(&ctx.required(0)), wv = view(&ctx.required(1)), rv = view(&ctx.required(2)), bv = view(ctx.input(3));
    auto h0 = view(ctx.input(5));
    auto c0 = kCell == Cell::kLstm ? view(ctx.input(6)) : std::nullopt;
    auto pv = kCell == Cell::kLstm ? view(ctx.input(7)) : std::nullopt;
    ComputeSink<T> y(y_t.data<T>(), y_t.numel()), yh(yh_t.data<T>(), yh_t.numel()), yc(yc_t.data<T>(), yc_t.numel());
    std::fill(y.data(), y.data() + y_t.numel(), C(0));

    // Inputs in [seq, batch, in] order whatever the layout.
    std::vector<C> xs(xv->data(), xv->data() + s.seq * s.batch * s.in);
    if (layout_)
      for (int64_t b = 0; b < s.batch; ++b)
        for (int64_t t = 0; t < s.seq; ++t)
          std::copy_n(xv->data() + (b * s.seq + t) * s.in, s.in, xs.data() + (t * s.batch + b) * s.in);

    std::vector<C> xw(static_cast<size_t>(s.seq * s.batch * gh)), hr(static_cast<size_t>(s.batch * gh));
    std::vector<C> hstate(static_cast<size_t>(s.batch * h)), cstate(static_cast<size_t>(s.batch * h));
    std::vector<C> gated(static_cast<size_t>(s.batch * h)), hh(static_cast<size_t>(s.batch * h));
    for (int64_t d = 0; d < dirs_; ++d) {
      const bool reverse = direction_ == "reverse" || d == 1;
      const Activation* act = acts_.data() + d * per_dir_;
      const std::vector<C> wt = transposed(wv->data() + d * gh * s.in, gh, s.in);
      const std::vector<C> rt = transposed(rv->data() + d * gh * h, gh, h);
      const C* wb = bv ? bv->data() + d * 2 * gh : nullptr;
      const C* rb = bv ? wb + gh : nullptr;
      const C* peep = pv ? pv->data() + d * 3 * h : nullptr;
      GemmArgs proj{s.seq * s.batch, gh, s.in, false, s.in, gh, gh, false};
      if (proj.m > 0) small_gemm(ctx.pool(), proj, xs.data(), wt.data(), xw.data());
      for (int64_t b = 0; b < s.batch; ++b)
        for (int64_t j = 0; j < h; ++j) {
          hstate[b * h + j] = h0 ? h0->data()[state_index(s, d, b, j)] : C(0);
          cstate[b * h + j] = c0 ? c0->data()[state_index(s, d, b, j)] : C(0);
        }
      for (int64_t step = 0; step < s.seq; ++step) {
        // h_{t-1} R^T for every gate; GRU's candidate gate without linear_before_reset needs
        // (r . h_{t-1}) R_h^T instead, computed below once r is known.
        small_gemm(ctx.pool(), GemmArgs{s.batch, gh, h, false, h, gh, gh, false}, hstate.data(), rt.data(), hr.data());
        auto bias = [&](int64_t g, int64_t j) { return wb ? wb[g * h + j] + rb[g * h + j] : C(0); };
        for (int64_t b = 0; b < s.batch; ++b) {
          if (step >= lens[b]) continue;
          const int64_t t = reverse ? lens[b] - 1 - step : step;
          const C* xg = xw.data() + (t * s.batch + b) * gh;
          const C* rg = hr.data() + b * gh;
          C* hs = hstate.data() + b * h;
          C* cs = cstate.data() + b * h;
          for (int64_t j = 0; j < h; ++j) {
            auto pre = [&](int64_t g) { return xg[g * h + j] + rg[g * h + j] + bias(g, j); };
            if constexpr (kCell == Cell::kRnn) {
              hh[b * h + j] = act[0](clipped(pre(0)));
            } else if constexpr (kCell == Cell::kLstm) {
              const C cprev = cs[j];
              const C i = act[0](clipped(pre(0) + (peep ? peep[j] * cprev : C(0))));
              const C f = input_forget_ ? C(1) - i : act[0](clipped(pre(2) + (peep ? peep[2 * h + j] * cprev : C(0))));
              const C g = act[1](clipped(pre(3)));
              const C c = f * cprev + i * g;
              const C o = act[0](clipped(pre(1) + (peep ? peep[h + j] * c : C(0))));
              gated[b * h + j] = c;
              hh[b * h + j] = o * act[2](c);
            } else {
              const C z = act[0](clipped(pre(0)));
              const C rgate = act[0](clipped(pre(1)));
              gated[b * h + j] = z;
              // With linear_before_reset the candidate is finished here; otherwise hh holds
              // r . h_{t-1} until the second GEMM below.
              hh[b * h + j] = linear_before_reset_
                                  ? act[1](clipped(xg[2 * h + j] + (wb ? wb[2 * h + j] : C(0)) +
                                                   rgate * (rg[2 * h + j] + (rb ? rb[2 * h + j] : C(0)))))
                                  : rgate * hs[j];
            }
          }
        }
        if constexpr (kCell == Cell::kGru) {
          if (!linear_before_reset_) {
            GemmArgs cand{s.batch, h, h, false, h, gh, gh, false};
            small_gemm(ctx.pool(), cand, hh.data(), rt.data() + 2 * h, hr.data() + 2 * h);
          }
        }
        for (int64_t b = 0; b < s.batch; ++b) {
          if (step >= lens[b]) continue;
          const int64_t t = reverse ? lens[b] - 1 - step : step;
          for (int64_t j = 0; j < h; ++j) {
            C next = hh[b * h + j];
            if constexpr (kCell == Cell::kGru) {
              const C* xg = xw.data() + (t * s.batch + b) * gh;
              if (!linear_before_reset_)
                next = act[1](clipped(xg[2 * h + j] + hr[b * gh + 2 * h + j] + bias(2, j)));
              const C z = gated[b * h + j];
              next = (C(1) - z) * next + z * hstate[b * h + j];
            }
            if constexpr (kCell == Cell::kLstm) cstate[b * h + j] = gated[b * h + j];
            hstate[b * h + j] = next;
            y.data()[y_index(s, t, d, b, j)] = next;
          }
        }
      }
      for (int64_t b = 0; b < s.batch; ++b)
        for (int64_t j = 0; j < h; ++j) {
          yh.data()[state_index(s, d, b, j)] = hstate[b * h + j];
          yc.data()[state_index(s, d, b, j)] = cstate[b * h + j];
        }
    }
    y.flush();
    yh.flush();
    yc.flush();
  }

  std::string direction_;
  int64_t dirs_ = 1;
  int64_t hidden_ = -1;
  int64_t layout_ = 0;
  std::optional<float> clip_;
  bool input_forget_ = false;
  bool linear_before_reset_ = false;
  size_t per_dir_ = 1;
  std::vector<Activation> acts_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "RNN", 1, ONNXGEN_LATEST, Recurrent<Cell::kRnn>);
ONNXGEN_REGISTER_KERNEL("", "LSTM", 1, ONNXGEN_LATEST, Recurrent<Cell::kLstm>);
ONNXGEN_REGISTER_KERNEL("", "GRU", 1, ONNXGEN_LATEST, Recurrent<Cell::kGru>);

}  // namespace onnxgen
