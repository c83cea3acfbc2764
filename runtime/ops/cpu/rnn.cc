// RNN, LSTM and GRU: forward, reverse and bidirectional, with per-batch sequence_lens,
// initial states, clip, configurable activations, LSTM peepholes/input_forget, GRU
// linear_before_reset, and the batch-first layout. The input projection of every time step is
// one GEMM up front; each step then multiplies the hidden state by R (a GEMV for small batches,
// which is where an RNN spends its time) and runs the gate arithmetic over whole gate rows, so
// the default sigmoid/tanh vectorise.
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <variant>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/batched_gemm.h"
#include "runtime/ops/cpu/compute_view.h"
#include "runtime/ops/cpu/gemv.h"
#include "runtime/ops/cpu/vector_math.h"

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

  // v[i] = f(v[i]) for i < n.
  template <class V>
  void apply(V* v, int64_t n) const {
    if constexpr (std::is_same_v<V, float>) {
      if (kind == Kind::kSigmoid) return sigmoid_approx(v, v, n);
      if (kind == Kind::kTanh) return tanh_approx(v, v, n);
    }
    for (int64_t i = 0; i < n; ++i) v[i] = (*this)(v[i]);
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

// c[m][n] = a[m][k] * op(b), b stored [n][k] when trans_b (as W is), else [k][n].
template <class C>
void product(ThreadPool& pool, int64_t m, int64_t n, int64_t k, const C* a, const C* b, bool trans_b, C* c) {
  if (m == 0) return;
  if constexpr (std::is_same_v<C, float>) {
    if (m <= kGemvF32MaxRows) return gemv_f32(pool, m, n, k, trans_b, a, b, c);
  }
  GemmProblem p;
  p.m = m;
  p.n = n;
  p.k = k;
  p.trans_b = trans_b;
  batched_gemm_any<C>(p, a, b, c, pool);
}

// Row-major transpose of a [rows, cols] block of m (row stride ld) into t, in square tiles so
// reads and writes both stay in cache.
template <class C>
void transpose_into(const C* m, int64_t rows, int64_t cols, int64_t ld, C* t) {
  constexpr int64_t kTile = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += kTile)
    for (int64_t c0 = 0; c0 < cols; c0 += kTile)
      for (int64_t r = r0; r < std::min(rows, r0 + kTile); ++r)
        for (int64_t c = c0; c < std::min(cols, c0 + kTile); ++c) t[c * rows + r] = m[r * ld + c];
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
           Tensor& yc_t) {
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

    // Each step's h_{t-1} R^T covers `rec` gate columns: all of them, except GRU's candidate
    // without linear_before_reset, which multiplies (r . h_{t-1}) by its own block of R.
    const int64_t rec = kCell == Cell::kGru && !linear_before_reset_ ? 2 * h : gh;
    const std::vector<C>& rts = recurrence_transposed<C>(ctx.required(2), rv->data(), h, rec);
    std::vector<C> xw(static_cast<size_t>(s.seq * s.batch * gh)), hr(static_cast<size_t>(s.batch * gh));
    std::vector<C> hstate(static_cast<size_t>(s.batch * h)), cstate(static_cast<size_t>(s.batch * h));
    std::vector<C> gated(static_cast<size_t>(s.batch * h)), hh(static_cast<size_t>(s.batch * h));
    std::vector<C> cand(static_cast<size_t>(s.batch * h)), bias(static_cast<size_t>(gh)), pre(static_cast<size_t>(gh));
    for (int64_t d = 0; d < dirs_; ++d) {
      const bool reverse = direction_ == "reverse" || d == 1;
      const Activation* act = acts_.data() + d * per_dir_;
      const C* w = wv->data() + d * gh * s.in;
      const C* rt = rts.data() + d * gh * h;
      const C* wb = bv ? bv->data() + d * 2 * gh : nullptr;
      const C* rb = bv ? wb + gh : nullptr;
      for (int64_t i = 0; i < gh; ++i) bias[i] = wb ? wb[i] + rb[i] : C(0);
      const C* peep = pv ? pv->data() + d * 3 * h : nullptr;
      product(ctx.pool(), s.seq * s.batch, gh, s.in, xs.data(), w, true, xw.data());
      for (int64_t b = 0; b < s.batch; ++b)
        for (int64_t j = 0; j < h; ++j) {
          hstate[b * h + j] = h0 ? h0->data()[state_index(s, d, b, j)] : C(0);
          cstate[b * h + j] = c0 ? c0->data()[state_index(s, d, b, j)] : C(0);
        }
      for (int64_t step = 0; step < s.seq; ++step) {
        // h_{t-1} R^T for every gate; GRU's candidate gate without linear_before_reset needs
        // (r . h_{t-1}) R_h^T instead, computed below once r is known.
        product(ctx.pool(), s.batch, rec, h, hstate.data(), rt, false, hr.data());
        for (int64_t b = 0; b < s.batch; ++b) {
          if (step >= lens[b]) continue;
          const int64_t t = reverse ? lens[b] - 1 - step : step;
          const C* xg = xw.data() + (t * s.batch + b) * gh;
          const C* rg = hr.data() + b * rec;
          for (int64_t i = 0; i < rec; ++i) pre[i] = xg[i] + rg[i] + bias[i];
          gate_row(act, peep, pre.data(), xg, rg, wb, rb, hstate.data() + b * h, cstate.data() + b * h,
                   gated.data() + b * h, hh.data() + b * h, h);
        }
        if constexpr (kCell == Cell::kGru) {
          if (!linear_before_reset_) product(ctx.pool(), s.batch, h, h, hh.data(), rt + h * rec, false, cand.data());
        }
        for (int64_t b = 0; b < s.batch; ++b) {
          if (step >= lens[b]) continue;
          const int64_t t = reverse ? lens[b] - 1 - step : step;
          C* next = hh.data() + b * h;
          if constexpr (kCell == Cell::kGru) {
            if (!linear_before_reset_) {
              const C* xg = xw.data() + (t * s.batch + b) * gh;
              for (int64_t j = 0; j < h; ++j) next[j] = clipped(xg[2 * h + j] + cand[b * h + j] + bias[2 * h + j]);
              act[1].apply(next, h);
            }
            const C* z = gated.data() + b * h;
            const C* prev = hstate.data() + b * h;
            for (int64_t j = 0; j < h; ++j) next[j] = (C(1) - z[j]) * next[j] + z[j] * prev[j];
          }
          if constexpr (kCell == Cell::kLstm) std::copy_n(gated.data() + b * h, h, cstate.data() + b * h);
          std::copy_n(next, h, hstate.data() + b * h);
          C* out = y.data() + y_index(s, t, d, b, 0);
          std::copy_n(next, h, out);
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

  // One batch row's gates from their pre-activations `pre` (x W^T + h R^T + biases, [gates, h]):
  // the next cell state into `gated` (LSTM; GRU: the update gate z) and into `hh` the next hidden
  // state (LSTM, RNN) or GRU's candidate (with linear_before_reset) or r . h_{t-1} (without).
  template <class C>
  void gate_row(const Activation* act, const C* peep, C* pre, const C* xg, const C* rg, const C* wb, const C* rb,
                const C* hs, const C* cs, C* gated, C* hh, int64_t h) const {
    auto clip_all = [&](C* v, int64_t n) {
      if (clip_)
        for (int64_t j = 0; j < n; ++j) v[j] = clipped(v[j]);
    };
    if constexpr (kCell == Cell::kRnn) {
      clip_all(pre, h);
      act[0].apply(pre, h);
      std::copy_n(pre, h, hh);
    } else if constexpr (kCell == Cell::kLstm) {
      C *i = pre, *o = pre + h, *f = pre + 2 * h, *g = pre + 3 * h;
      if (peep)
        for (int64_t j = 0; j < h; ++j) {
          i[j] += peep[j] * cs[j];
          f[j] += peep[2 * h + j] * cs[j];
        }
      clip_all(i, h);
      act[0].apply(i, h);
      if (input_forget_) {
        for (int64_t j = 0; j < h; ++j) f[j] = C(1) - i[j];
      } else {
        clip_all(f, h);
        act[0].apply(f, h);
      }
      clip_all(g, h);
      act[1].apply(g, h);
      for (int64_t j = 0; j < h; ++j) gated[j] = f[j] * cs[j] + i[j] * g[j];
      if (peep)
        for (int64_t j = 0; j < h; ++j) o[j] += peep[h + j] * gated[j];
      clip_all(o, h);
      act[0].apply(o, h);
      std::copy_n(gated, h, hh);
      act[2].apply(hh, h);
      for (int64_t j = 0; j < h; ++j) hh[j] *= o[j];
    } else {
      clip_all(pre, 2 * h);
      act[0].apply(pre, 2 * h);
      const C *z = pre, *r = pre + h;
      std::copy_n(z, h, gated);
      if (linear_before_reset_) {
        for (int64_t j = 0; j < h; ++j)
          hh[j] = clipped(xg[2 * h + j] + (wb ? wb[2 * h + j] : C(0)) + r[j] * (rg[2 * h + j] + (rb ? rb[2 * h + j] : C(0))));
        act[1].apply(hh, h);
      } else {
        for (int64_t j = 0; j < h; ++j) hh[j] = r[j] * hs[j];
      }
    }
  }

  // Per direction, R^T as [h][rec] followed by the rest of R^T as [h][gh - rec]: every step reads
  // R, and its [k][n] form streams through the GEMV without a reduction per output. Rebuilt only
  // when R's bytes change (comparing them costs a small fraction of one transpose).
  template <class C>
  const std::vector<C>& recurrence_transposed(const Tensor& r, const C* data, int64_t h, int64_t rec) {
    if (!std::holds_alternative<std::vector<C>>(rt_cache_)) {
      rt_cache_ = std::vector<C>();
      rt_source_.clear();
    }
    std::vector<C>& out = std::get<std::vector<C>>(rt_cache_);
    const auto* bytes = static_cast<const std::byte*>(r.raw());
    if (rt_source_.size() == r.bytes() && std::memcmp(rt_source_.data(), bytes, r.bytes()) == 0) return out;
    const int64_t gh = kGates * h;
    out.resize(static_cast<size_t>(dirs_ * gh * h));
    for (int64_t d = 0; d < dirs_; ++d) {
      const C* rd = data + d * gh * h;
      C* td = out.data() + d * gh * h;
      transpose_into(rd, rec, h, h, td);
      if (rec < gh) transpose_into(rd + rec * h, gh - rec, h, h, td + h * rec);
    }
    rt_source_.assign(bytes, bytes + r.bytes());
    return out;
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
  std::vector<std::byte> rt_source_;
  std::variant<std::vector<float>, std::vector<double>> rt_cache_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "RNN", 1, ONNXGEN_LATEST, Recurrent<Cell::kRnn>);
ONNXGEN_REGISTER_KERNEL("", "LSTM", 1, ONNXGEN_LATEST, Recurrent<Cell::kLstm>);
ONNXGEN_REGISTER_KERNEL("", "GRU", 1, ONNXGEN_LATEST, Recurrent<Cell::kGru>);

}  // namespace onnxgen
