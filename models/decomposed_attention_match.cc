// Optimum's decomposed attention → PagedAttention. Per layer the graph outputs
// present.N.key/value = Concat(past, new, axis=-2) anchor the match: the MatMul whose right side
// traces to the present key (Transpose of the last two axes, repeat_kv Expand/Reshape, scalar
// scales) holds the scores; they run through scales, an optional Div-Tanh-Mul softcap and masks
// (Add / Where) to Softmax, then a MatMul with the present value. That output [B, H, S, D] is
// replaced by PagedAttention of the same Q and new K/V, so the rest of the graph is untouched.
//
// Masks and dynamic scales (GPT-2 computes 1/sqrt(D) from shapes) are evaluated once on a probe
// prefill of the original graph: a mask must be causal, optionally within a window, which
// becomes the layer's sliding_window; a bias such as ALiBi is not recognised.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "models/paged_attention_builder.h"
#include "runtime/exec/session.h"
#include "runtime/graph/dead_code.h"

namespace onnxgen::models {

namespace {

// Scores above this are kept by a mask, at or below it dropped (HF fills with float min or -inf).
constexpr double kMasked = -1e4;
// Probe prefill length when the config names no longer window.
constexpr int64_t kProbeTokens = 64;

struct Factor {
  std::string value;
  bool divides = false;
};

struct MaskTerm {
  std::string value;        // additive mask, or the condition of a Where on the scores
  bool additive = true;
  bool keep_where = true;   // Where: the scores are kept where the condition is this
  std::string fill;         // Where: what replaces dropped scores
};

struct Layer {
  int64_t index = 0;
  std::string past_key, past_value, present_key, present_value, k_new, v_new, q;
  std::vector<Factor> scale;   // product of the scalar factors before the softcap
  std::string softcap_in, softcap_out;
  bool softcap_in_divides = false;
  std::vector<MaskTerm> masks;
  const Node* pv = nullptr;  // MatMul(probs, V)
};

class Matcher {
 public:
  explicit Matcher(const GraphEditor& e) : e_(e) {}

  // Follows `value` back to `target` through layout ops and static scalar Mul/Div, counting
  // transposes of the last two axes.
  bool trace(const std::string& value, const std::string& target, std::vector<Factor>& factors, int& swaps,
             int depth = 0) const {
    if (value == target) return true;
    const Node* p = e_.producer(value);
    if (!p || !p->domain.empty() || depth > 24) return false;
    const std::string& op = p->op_type;
    if (op == "Reshape" || op == "Expand" || op == "Unsqueeze" || op == "Squeeze" || op == "Identity")
      return trace(p->inputs[0], target, factors, swaps, depth + 1);
    if (op == "Transpose") {
      auto perm = p->attrs.get_ints("perm");
      if (perm != std::vector<int64_t>{0, 1, 3, 2} || !trace(p->inputs[0], target, factors, swaps, depth + 1))
        return false;
      ++swaps;
      return true;
    }
    if (op == "Mul")
      for (size_t i : {0u, 1u})
        if (e_.is_static(p->inputs[1 - i]) && trace(p->inputs[i], target, factors, swaps, depth + 1)) {
          factors.push_back({p->inputs[1 - i], false});
          return true;
        }
    if (op == "Div" && e_.is_static(p->inputs[1]) && trace(p->inputs[0], target, factors, swaps, depth + 1)) {
      factors.push_back({p->inputs[1], true});
      return true;
    }
    return false;
  }

  // Strips static scalar Mul/Div off the query side.
  std::string strip_scales(std::string value, std::vector<Factor>& factors) const {
    for (;;) {
      const Node* p = e_.producer(value);
      if (!p || !p->domain.empty()) return value;
      if (p->op_type == "Mul" && e_.is_static(p->inputs[1])) {
        factors.push_back({p->inputs[1], false});
        value = p->inputs[0];
      } else if (p->op_type == "Mul" && e_.is_static(p->inputs[0])) {
        factors.push_back({p->inputs[0], false});
        value = p->inputs[1];
      } else if (p->op_type == "Div" && e_.is_static(p->inputs[1])) {
        factors.push_back({p->inputs[1], true});
        value = p->inputs[0];
      } else {
        return value;
      }
    }
  }

  const Node* only_consumer(const std::string& value, const std::string& where) const {
    auto cs = e_.consumers(value);
    ONNXGEN_CHECK(cs.size() == 1, where, ": '", value, "' is read by ", cs.size(), " nodes where one was expected");
    return cs[0];
  }

  void match(Layer& l, const std::vector<const Node*>& matmuls) const {
    const std::string where = str_cat("layer ", l.index);
    const Node* kc = e_.producer(l.present_key);
    const Node* vc = e_.producer(l.present_value);
    for (auto [c, past] : {std::pair{kc, &l.past_key}, std::pair{vc, &l.past_value}}) {
      ONNXGEN_CHECK(c && c->op_type == "Concat" && c->inputs.size() == 2 && c->inputs[0] == *past, where,
                    ": a present output is not Concat('", *past, "', new)");
      int64_t axis = c->attrs.get_int("axis");
      ONNXGEN_CHECK(axis == -2 || axis == 2, where, ": the present Concat runs along axis ", axis, ", not the sequence");
    }
    l.k_new = kc->inputs[1];
    l.v_new = vc->inputs[1];

    const Node* qk = nullptr;
    for (const Node* m : matmuls) {
      std::vector<Factor> factors;
      int swaps = 0;
      if (!trace(m->inputs[1], l.present_key, factors, swaps)) continue;
      ONNXGEN_CHECK(!qk, where, ": two MatMuls read the present key");
      ONNXGEN_CHECK(swaps == 1, where, ": the key reaches the score MatMul with ", swaps, " transposes of its last axes");
      qk = m;
      l.scale = std::move(factors);
    }
    ONNXGEN_CHECK(qk, where, ": no MatMul multiplies a query by the transposed present key");
    l.q = strip_scales(qk->inputs[0], l.scale);

    // Scores → Softmax.
    std::string cur = qk->outputs[0];
    bool softcapped = false;
    for (;;) {
      const Node* n = only_consumer(cur, where);
      const std::string& op = n->op_type;
      ONNXGEN_CHECK(n->domain.empty(), where, ": ", n->label(), " on the attention scores is not recognised");
      if (op == "Softmax") {
        int64_t axis = n->attrs.get_int("axis", -1);
        ONNXGEN_CHECK(axis == -1 || axis == 3, where, ": Softmax over axis ", axis, ", not the keys");
        cur = n->outputs[0];
        break;
      }
      if (op == "Add") {
        l.masks.push_back({n->inputs[0] == cur ? n->inputs[1] : n->inputs[0], true, true, ""});
      } else if (op == "Where" && (n->inputs[1] == cur || n->inputs[2] == cur)) {
        const bool keep = n->inputs[1] == cur;
        l.masks.push_back({n->inputs[0], false, keep, keep ? n->inputs[2] : n->inputs[1]});
      } else if ((op == "Mul" || op == "Div") && e_.is_static(n->inputs[0] == cur ? n->inputs[1] : n->inputs[0]) &&
                 (op == "Mul" || n->inputs[0] == cur)) {
        const std::string factor = n->inputs[0] == cur ? n->inputs[1] : n->inputs[0];
        auto next = e_.consumers(n->outputs[0]);
        if (next.size() == 1 && next[0]->op_type == "Tanh") {
          ONNXGEN_CHECK(!softcapped, where, ": two softcaps on the scores");
          const Node* out = only_consumer(next[0]->outputs[0], where);
          const std::string& tanh_out = next[0]->outputs[0];
          ONNXGEN_CHECK(out->op_type == "Mul" &&
                            e_.is_static(out->inputs[0] == tanh_out ? out->inputs[1] : out->inputs[0]),
                        where, ": Tanh on the scores is not followed by the softcap's Mul");
          l.softcap_in = factor;
          l.softcap_in_divides = op == "Div";
          l.softcap_out = out->inputs[0] == tanh_out ? out->inputs[1] : out->inputs[0];
          softcapped = true;
          cur = out->outputs[0];
          continue;
        }
        ONNXGEN_CHECK(!softcapped, where, ": the scores are scaled after the softcap");
        l.scale.push_back({factor, op == "Div"});
      } else {
        fail(where, ": ", n->label(), " on the attention scores is not recognised");
      }
      cur = n->outputs[0];
    }

    // Softmax → optional NaN guard (Where(IsNaN(p), 0, p)) → MatMul with V.
    auto readers = e_.consumers(cur);
    if (readers.size() == 2) {
      const Node* isnan = readers[0]->op_type == "IsNaN" ? readers[0] : readers[1];
      const Node* guard = isnan == readers[0] ? readers[1] : readers[0];
      ONNXGEN_CHECK(isnan->op_type == "IsNaN" && guard->op_type == "Where" && guard->inputs[0] == isnan->outputs[0] &&
                        guard->inputs[2] == cur,
                    where, ": the attention probabilities are read by more than the value MatMul");
      cur = guard->outputs[0];
    }
    const Node* pv = only_consumer(cur, where);
    std::vector<Factor> none;
    int swaps = 0;
    ONNXGEN_CHECK(pv->op_type == "MatMul" && pv->inputs[0] == cur && trace(pv->inputs[1], l.present_value, none, swaps) &&
                      none.empty() && swaps == 0,
                  where, ": the probabilities are not multiplied by the present value");
    l.pv = pv;
  }

 private:
  const GraphEditor& e_;
};

Tensor filled(DataType dtype, Shape shape, const std::function<int64_t(int64_t)>& value) {
  Tensor t = Tensor::empty(dtype, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) {
    switch (dtype) {
      case DataType::kInt64: t.data<int64_t>()[i] = value(i); break;
      case DataType::kInt32: t.data<int32_t>()[i] = static_cast<int32_t>(value(i)); break;
      case DataType::kFloat: t.data<float>()[i] = static_cast<float>(value(i)); break;
      case DataType::kFloat16: t.data<Float16>()[i] = Float16(static_cast<float>(value(i))); break;
      case DataType::kBool: t.data<bool>()[i] = value(i) != 0; break;
      default: fail("cannot make a probe input of ", to_string(dtype));
    }
  }
  return t;
}

// Runs the original graph up to `values` on a prefill of `tokens` tokens with an empty past.
std::map<std::string, Tensor> probe(const Model& model, const ModelConfig& config, const std::vector<std::string>& values,
                                    const std::vector<Layer>& layers, int64_t tokens) {
  Model m;
  m.path = model.path + " (attention probe)";
  m.ir_version = model.ir_version;
  m.opsets = model.opsets;
  m.graph = std::make_shared<Graph>(*model.graph);
  m.graph->outputs.clear();
  for (const auto& v : values) {
    ValueInfo out;
    out.name = v;
    m.graph->outputs.push_back(out);
  }
  remove_dead_code(*m.graph);
  Session session(std::move(m));
  std::map<std::string, Tensor> feeds;
  for (const ValueInfo* in : session.inputs()) {
    bool past = false;
    for (const auto& l : layers) past = past || in->name == l.past_key || in->name == l.past_value;
    if (past) {
      ONNXGEN_CHECK(in->has_shape && in->dims.size() == 4, "past input '", in->name, "' is not 4-D");
      Shape shape = {1, in->dims[1].value > 0 ? in->dims[1].value : config.num_kv_heads, 0,
                     in->dims[3].value > 0 ? in->dims[3].value : config.head_size};
      feeds[in->name] = Tensor::zeros(in->dtype, shape);
    } else if (in->name == config.io.input_ids) {
      feeds[in->name] = filled(in->dtype, {1, tokens}, [](int64_t) { return 0; });
    } else if (in->name == config.io.attention_mask) {
      feeds[in->name] = filled(in->dtype, {1, tokens}, [](int64_t) { return 1; });
    } else if (in->name == config.io.position_ids) {
      feeds[in->name] = filled(in->dtype, {1, tokens}, [](int64_t i) { return i; });
    } else {
      fail("the masks depend on input '", in->name, "', which a probe cannot feed");
    }
  }
  auto outs = session.run(feeds);
  std::map<std::string, Tensor> result;
  for (size_t i = 0; i < values.size(); ++i) result[values[i]] = outs[i];
  return result;
}

// Whether a mask keeps key j for query i of the probe; throws on values that are neither a keep
// nor a drop (a positional bias).
bool keeps(const MaskTerm& m, const Tensor& t, const Tensor* fill, int64_t i, int64_t j, int64_t n,
           const std::string& where) {
  ONNXGEN_CHECK(t.rank() >= 2 && t.dim(t.rank() - 1) == n && (t.dim(t.rank() - 2) == n || t.dim(t.rank() - 2) == 1),
                where, ": mask ", t.describe(), " is not [.., ", n, ", ", n, "] on a ", n, "-token probe");
  const int64_t at = (t.dim(t.rank() - 2) == 1 ? 0 : i * n) + j;
  if (!m.additive) {
    for (int64_t k = 0; fill && k < fill->numel(); ++k)
      ONNXGEN_CHECK(fill->to_double(k) <= kMasked, where, ": a Where on the scores fills ", fill->to_double(k));
    return (t.to_double(at) != 0) == m.keep_where;
  }
  const double v = t.to_double(at);
  ONNXGEN_CHECK(v == 0 || v <= kMasked, where, ": the mask adds ", v, " to a score: a bias, not a mask");
  return v == 0;
}

double scalar(const Tensor& t, const std::string& what) {
  ONNXGEN_CHECK(t.numel() >= 1, what, " is empty");
  for (int64_t i = 1; i < t.numel(); ++i)
    ONNXGEN_CHECK(t.to_double(i) == t.to_double(0), what, " ", t.describe(), " is not one scalar");
  return t.to_double(0);
}

}  // namespace

void rewrite_decomposed_attention(PagedAttentionBuilder& b, const Model& model) {
  GraphEditor& e = b.editor();
  const ModelConfig& config = b.config();
  const IoNames& io = config.io;
  ONNXGEN_CHECK(!io.present_key.empty() && !io.present_value.empty(), "the config names no present key/value outputs");
  std::vector<Layer> layers;
  for (int64_t i = 0; e.is_graph_output(layer_name(io.present_key, i)); ++i) {
    Layer l;
    l.index = i;
    l.past_key = layer_name(io.past_key, i);
    l.past_value = layer_name(io.past_value, i);
    l.present_key = layer_name(io.present_key, i);
    l.present_value = layer_name(io.present_value, i);
    layers.push_back(l);
  }
  ONNXGEN_CHECK(!layers.empty(), "no attention recognised: no com.microsoft attention op and no graph output named '",
                layer_name(io.present_key, 0), "'");
  std::vector<const Node*> matmuls;
  for (const auto& n : e.graph().nodes)
    if (n.op_type == "MatMul" && n.domain.empty()) matmuls.push_back(&n);
  Matcher matcher(e);
  for (auto& l : layers) matcher.match(l, matmuls);

  // Evaluate masks and dynamic factors; constants are read directly.
  std::vector<std::string> wanted;
  for (const auto& l : layers) {
    for (const auto& f : l.scale) wanted.push_back(f.value);
    for (const auto& m : l.masks) {
      wanted.push_back(m.value);
      if (!m.fill.empty()) wanted.push_back(m.fill);
    }
    if (!l.softcap_in.empty()) wanted.insert(wanted.end(), {l.softcap_in, l.softcap_out});
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<std::string> dynamic;
  std::map<std::string, Tensor> values;
  for (const auto& v : wanted) {
    if (const Tensor* c = e.constant(v)) values[v] = *c;
    else dynamic.push_back(v);
  }
  const int64_t tokens = std::max<int64_t>(kProbeTokens, config.sliding_window.value_or(0) + 1);
  if (!dynamic.empty())
    for (auto& [name, t] : probe(model, config, dynamic, layers, tokens)) values[name] = t;

  const ValueInfo* past_info = e.input(layers[0].past_key);
  ONNXGEN_CHECK(past_info, "past key '", layers[0].past_key, "' is not a graph input");
  const int64_t heads = config.num_heads;
  const int64_t kv_heads = b.dim_or_config(layers[0].past_key, 1, config.num_kv_heads > 0 ? config.num_kv_heads : heads);
  const int64_t head =
      b.dim_or_config(layers[0].past_key, 3, config.head_size > 0 ? config.head_size
                                                                  : (heads > 0 ? config.hidden_size / heads : 0));
  for (auto& l : layers) {
    const std::string where = str_cat("layer ", l.index);
    b.set_geometry(heads, b.dim_or_config(l.past_key, 1, kv_heads), b.dim_or_config(l.past_key, 3, head),
                   past_info->dtype, where);
    PagedAttentionReport::Layer out;
    out.index = l.index;
    double scale = 1;
    for (const auto& f : l.scale) {
      double v = scalar(values.at(f.value), where + " scale factor '" + f.value + "'");
      scale = f.divides ? scale / v : scale * v;
    }
    out.scale = static_cast<float>(scale);
    if (!l.softcap_in.empty()) {
      double in = scalar(values.at(l.softcap_in), where + " softcap"), outv = scalar(values.at(l.softcap_out), where + " softcap");
      const double cap = l.softcap_in_divides ? in : 1 / in;
      ONNXGEN_CHECK(std::fabs(cap - outv) <= 1e-6 * std::fabs(cap), where, ": softcap divides by ", cap,
                    " but multiplies by ", outv);
      out.softcap = static_cast<float>(cap);
    }
    // Row by row the kept keys must be the last `window` up to the query itself.
    int64_t window = 0;
    for (int64_t i = tokens - 1; i >= 0; --i) {
      int64_t first = tokens, last = -1, kept = 0;
      for (int64_t j = 0; j < tokens; ++j) {
        bool keep = true;
        for (const auto& m : l.masks)
          keep = keep && keeps(m, values.at(m.value), m.fill.empty() ? nullptr : &values.at(m.fill), i, j, tokens, where);
        if (keep) first = std::min(first, j), last = j, ++kept;
      }
      ONNXGEN_CHECK(kept > 0 && last == i && last - first + 1 == kept, where, ": on a ", tokens,
                    "-token probe the mask keeps ", kept, " keys for query ", i, " (", first, " to ", last,
                    "); only causal masks, optionally windowed, are recognised");
      if (i == tokens - 1) window = kept == tokens ? 0 : kept;
      ONNXGEN_CHECK(kept == (window ? std::min(i + 1, window) : i + 1), where, ": the mask's window is not the same for every query");
    }
    out.sliding_window = window;

    const std::string q = b.flatten_heads(l.q, heads), k = b.flatten_heads(l.k_new, kv_heads),
                      v = b.flatten_heads(l.v_new, kv_heads);
    const std::string attended = e.fresh("paged_attention");
    b.emit(q, k, v, out, attended, {l.past_key, l.past_value}, {l.present_key, l.present_value});
    b.unflatten_heads(attended, heads, l.pv->outputs[0]);
    e.remove(l.pv);
  }
}

}  // namespace onnxgen::models
