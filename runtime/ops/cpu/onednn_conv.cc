#include "runtime/ops/cpu/onednn_conv.h"

#include <dnnl.hpp>

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

std::vector<int64_t> cache_key(const ConvProblem& p, bool has_bias) {
  const WindowGeometry& g = p.window;
  std::vector<int64_t> key{p.batch, p.in_channels, p.out_channels, p.group, has_bias};
  for (const auto* v : {&g.input, &g.kernel, &g.stride, &g.dilation, &g.pad_begin, &g.pad_end})
    key.insert(key.end(), v->begin(), v->end());
  return key;
}

}  // namespace

struct OnednnConv::Primitive {
  dnnl::memory::desc src, weights, bias, dst;
  dnnl::convolution_forward conv;
};

OnednnConv::OnednnConv() = default;
OnednnConv::~OnednnConv() = default;

bool OnednnConv::run(const ConvProblem& p, const float* x, const float* w, const float* bias, float* y) {
  const WindowGeometry& g = p.window;
  if (g.rank() < 1 || g.rank() > 3) return false;
  std::vector<int64_t> key = cache_key(p, bias != nullptr);
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
    prim->dst = plain_desc(p.output_shape());
    dnnl::memory::dims dilation;
    for (int64_t d : g.dilation) dilation.push_back(d - 1);  // oneDNN counts the gaps
    try {
      dnnl::convolution_forward::desc desc(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, prim->src, prim->weights,
          prim->bias, prim->dst, dnnl::memory::dims(g.stride.begin(), g.stride.end()), dilation,
          dnnl::memory::dims(g.pad_begin.begin(), g.pad_begin.end()),
          dnnl::memory::dims(g.pad_end.begin(), g.pad_end.end()));
      prim->conv = dnnl::convolution_forward(dnnl::convolution_forward::primitive_desc(desc, cpu_engine()));
    } catch (const dnnl::error&) {
      return false;
    }
    it = cache_.emplace(std::move(key), std::move(prim)).first;
  }
  Primitive& prim = *it->second;
  dnnl::engine& engine = cpu_engine();
  std::unordered_map<int, dnnl::memory> args{
      {DNNL_ARG_SRC, dnnl::memory(prim.src, engine, const_cast<float*>(x))},
      {DNNL_ARG_WEIGHTS, dnnl::memory(prim.weights, engine, const_cast<float*>(w))},
      {DNNL_ARG_DST, dnnl::memory(prim.dst, engine, y)}};
  if (bias) args.emplace(DNNL_ARG_BIAS, dnnl::memory(prim.bias, engine, const_cast<float*>(bias)));
  dnnl::stream stream(engine);
  prim.conv.execute(stream, args);
  stream.wait();
  return true;
}

}  // namespace onnxgen
