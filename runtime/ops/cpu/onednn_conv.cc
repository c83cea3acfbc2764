#include "runtime/ops/cpu/onednn_conv.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include <dnnl.hpp>

#include "runtime/core/simd.h"

namespace onnxgen {
namespace {

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::memory::format_tag plain_tag(size_t rank) {
  using tag = dnnl::memory::format_tag;
  switch (rank) {
    case 1: return tag::a;
    case 3: return tag::abc;
    case 4: return tag::abcd;
    case 5: return tag::abcde;
    case 6: return tag::abcdef;
    default: return tag::undef;
  }
}

dnnl::memory::desc plain_desc(const std::vector<int64_t>& dims) {
  return dnnl::memory::desc(dnnl::memory::dims(dims.begin(), dims.end()), dnnl::memory::data_type::f32,
                            plain_tag(dims.size()));
}

std::vector<int64_t> cache_key(const ConvProblem& p, bool has_bias, bool relu) {
  const WindowGeometry& g = p.window;
  std::vector<int64_t> key{p.batch, p.in_channels, p.out_channels, p.group, has_bias, relu};
  for (const auto* v : {&g.input, &g.kernel, &g.stride, &g.dilation, &g.pad_begin, &g.pad_end})
    key.insert(key.end(), v->begin(), v->end());
  return key;
}

}  // namespace

// The primitive runs in the layouts oneDNN prefers for the problem (channel-blocked on AVX-512,
// where its direct and depthwise kernels live); the plain NCHW tensors are reordered in and out
// around it, and the weights once, kept until their bytes change.
struct OnednnConv::Primitive {
  dnnl::memory::desc src, weights, bias, dst;  // plain
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward conv;
  std::optional<dnnl::reorder> src_in, weights_in, dst_out;  // when the preferred layout differs
  std::vector<float> src_blocked, weights_blocked, dst_blocked;
  std::vector<std::byte> weights_source;  // the plain weights weights_blocked was made from
  bool relu_after = false;                // relu applied to y after the primitive, not as its post-op
};

OnednnConv::OnednnConv() = default;
OnednnConv::~OnednnConv() = default;

namespace {

ONNXGEN_SIMD_CLONES void relu_inplace(float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::max(y[i], 0.0f);
}

std::optional<dnnl::reorder> reorder_if_needed(const dnnl::memory::desc& from, const dnnl::memory::desc& to,
                                               std::vector<float>& to_storage) {
  if (from == to) return std::nullopt;
  to_storage.resize(to.get_size() / sizeof(float));
  return dnnl::reorder(dnnl::reorder::primitive_desc(cpu_engine(), from, cpu_engine(), to));
}

}  // namespace

bool OnednnConv::run(const ConvProblem& p, const float* x, const float* w, const float* bias, bool relu, float* y) {
  const WindowGeometry& g = p.window;
  if (g.rank() < 1 || g.rank() > 3) return false;
  std::vector<int64_t> key = cache_key(p, bias != nullptr, relu);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    auto prim = std::make_unique<Primitive>();
    std::vector<int64_t> src{p.batch, p.in_channels};
    src.insert(src.end(), g.input.begin(), g.input.end());
    std::vector<int64_t> wei{p.out_channels, p.in_channels / p.group};
    if (p.group > 1) wei = {p.group, p.out_channels / p.group, p.in_channels / p.group};
    wei.insert(wei.end(), g.kernel.begin(), g.kernel.end());
    prim->src = plain_desc(src);
    prim->weights = plain_desc(wei);
    prim->bias = bias ? plain_desc({p.out_channels}) : dnnl::memory::desc();
    prim->dst = plain_desc(std::vector<int64_t>(p.output_shape()));
    // A 1x1 convolution over NCHW is already one GEMM per image; reordering its input and
    // output costs more than a blocked kernel saves.
    const bool pointwise = p.group == 1 && std::all_of(g.kernel.begin(), g.kernel.end(), [](int64_t k) { return k == 1; }) &&
                           std::all_of(g.stride.begin(), g.stride.end(), [](int64_t v) { return v == 1; }) &&
                           std::all_of(g.pad_begin.begin(), g.pad_begin.end(), [](int64_t v) { return v == 0; }) &&
                           std::all_of(g.pad_end.begin(), g.pad_end.end(), [](int64_t v) { return v == 0; });
    dnnl::memory::dims dilation;
    for (int64_t d : g.dilation) dilation.push_back(d - 1);  // oneDNN counts the gaps
    // First choice: the layouts oneDNN prefers, relu as its post-op (on 1x1 convolutions, whose
    // GEMM applies an eltwise post-op in a slow separate pass, our own pass after). oneDNN falls
    // back to its reference kernels (orders of magnitude slower) for some layout and post-op
    // combinations; then plain layouts without the post-op, then our im2col.
    bool ready = false;
    for (const bool preferred : {true, false}) {
      const bool any_layout = preferred && !pointwise;
      auto layout = [&](const dnnl::memory::desc& d) {
        return any_layout ? dnnl::memory::desc(d.dims(), dnnl::memory::data_type::f32, dnnl::memory::format_tag::any) : d;
      };
      try {
        dnnl::convolution_forward::desc desc(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, layout(prim->src),
            layout(prim->weights), prim->bias, layout(prim->dst), dnnl::memory::dims(g.stride.begin(), g.stride.end()),
            dilation, dnnl::memory::dims(g.pad_begin.begin(), g.pad_begin.end()),
            dnnl::memory::dims(g.pad_end.begin(), g.pad_end.end()));
        dnnl::primitive_attr attr;
        prim->relu_after = relu && (!preferred || pointwise);
        if (relu && !prim->relu_after) {
          dnnl::post_ops ops;
          ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
          attr.set_post_ops(ops);
        }
        prim->pd = dnnl::convolution_forward::primitive_desc(desc, attr, cpu_engine());
      } catch (const dnnl::error&) {
        continue;
      }
      if (std::strncmp(prim->pd.impl_info_str(), "ref", 3) == 0) continue;
      prim->conv = dnnl::convolution_forward(prim->pd);
      prim->src_in = reorder_if_needed(prim->src, prim->pd.src_desc(), prim->src_blocked);
      prim->weights_in = reorder_if_needed(prim->weights, prim->pd.weights_desc(), prim->weights_blocked);
      prim->dst_out = reorder_if_needed(prim->pd.dst_desc(), prim->dst, prim->dst_blocked);
      ready = true;
      break;
    }
    if (!ready) return false;
    it = cache_.emplace(std::move(key), std::move(prim)).first;
  }
  Primitive& prim = *it->second;
  dnnl::engine& engine = cpu_engine();
  dnnl::stream stream(engine);
  auto memory = [&](const dnnl::memory::desc& d, const float* data) {
    return dnnl::memory(d, engine, const_cast<float*>(data));
  };
  dnnl::memory src = memory(prim.src, x), dst = memory(prim.dst, y), weights = memory(prim.weights, w);
  if (prim.src_in) {
    dnnl::memory blocked = memory(prim.pd.src_desc(), prim.src_blocked.data());
    prim.src_in->execute(stream, src, blocked);
    src = blocked;
  }
  if (prim.weights_in) {
    const size_t bytes = prim.weights.get_size();
    const auto* plain = reinterpret_cast<const std::byte*>(w);
    dnnl::memory blocked = memory(prim.pd.weights_desc(), prim.weights_blocked.data());
    if (prim.weights_source.size() != bytes || std::memcmp(prim.weights_source.data(), plain, bytes) != 0) {
      prim.weights_in->execute(stream, weights, blocked);
      prim.weights_source.assign(plain, plain + bytes);
    }
    weights = blocked;
  }
  dnnl::memory out = prim.dst_out ? memory(prim.pd.dst_desc(), prim.dst_blocked.data()) : dst;
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, out}};
  if (bias) args.emplace(DNNL_ARG_BIAS, memory(prim.bias, bias));
  prim.conv.execute(stream, args);
  if (prim.dst_out) prim.dst_out->execute(stream, out, dst);
  stream.wait();
  if (prim.relu_after) relu_inplace(y, static_cast<int64_t>(prim.dst.get_size() / sizeof(float)));
  return true;
}

}  // namespace onnxgen
