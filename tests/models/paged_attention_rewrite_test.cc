// The attention → PagedAttention rewrite on every real-export fixture: the rewritten graph runs the
// fixture's prefill and decode steps through a paged KV cache and must give ONNX Runtime's stored
// logits (tolerances as in tests/parity); one sequence gives the same logits alone as flattened
// with another; a graph without recognisable attention is left as it was, with a reason.
#include "models/paged_attention_rewrite.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "runtime/exec/session.h"
#include "runtime/graph/tensor_proto.h"
#include "runtime/kv_cache/block_table.h"

namespace fs = std::filesystem;

namespace onnxgen::models {
namespace {

constexpr int64_t kBlockSize = 4;  // small, so the fixtures' 8 tokens span several blocks
constexpr int64_t kNumBlocks = 32;

struct Fixture {
  std::string name;
  fs::path dir;
  fs::path model;
  fs::path steps;
  std::string missing;
};

void PrintTo(const Fixture& f, std::ostream* os) { *os << f.name; }

std::vector<Fixture> discover() {
  std::vector<Fixture> out;
  for (const auto& e : fs::directory_iterator(ONNXGEN_FIXTURES_DIR))
    if (e.is_directory() && fs::exists(e.path() / "model.onnx"))
      out.push_back({e.path().filename().string(), e.path(), e.path() / "model.onnx", e.path(), ""});
  std::sort(out.begin(), out.end(), [](const Fixture& a, const Fixture& b) { return a.name < b.name; });
  const fs::path shared = fs::path(ONNXGEN_SHARED_DIR) / "models";
  for (const auto& [name, file] : {std::pair{"gpt2-tiny-random", "past.onnx"}, {"qwen3.5-tiny-gqa", "decoder.onnx"}}) {
    Fixture f{std::string("shared/") + name, shared / name, shared / name / file,
              fs::path(ONNXGEN_SHARED_EXPECTED_DIR) / name, ""};
    if (!fs::exists(f.model)) f.missing = "../shared not found; shared models are not part of the repository";
    else if (!fs::exists(f.steps / "step_0"))
      f.missing = "no ONNX Runtime outputs in " + f.steps.string() + " (ctest's parity_shared_outputs makes them)";
    out.push_back(f);
  }
  return out;
}

// Optimum fixtures ship no config.json: their geometry is scripts/make_fixtures.py's.
ModelConfig config_of(const Fixture& f) {
  if (fs::exists(f.dir / "genai_config.json") || fs::exists(f.dir / "config.json")) return ModelConfig::load(f.dir.string());
  std::ifstream in(f.dir / "fixture.json");
  const auto j = nlohmann::json::parse(in);
  ModelConfig c;
  c.dir = f.dir.string();
  c.family = j.at("family").get<std::string>();
  c.num_layers = 2;
  c.num_heads = 4;
  c.num_kv_heads = c.family == "gpt2" ? 4 : 2;
  c.head_size = 16;
  c.hidden_size = 64;
  if (c.family == "mistral" || c.family == "gemma2") c.sliding_window = 4;
  return c;
}

double tolerance(const std::string& fixture, DataType dtype) {
  if (dtype == DataType::kFloat16) return 2e-2;
  return fixture.ends_with("-int4") ? 1e-3 : 1e-4;
}

// max |got - want| / max |want| over rows [want_row, ..) of `want` against rows of `got`.
double relative_diff(const Tensor& got, int64_t got_row, const Tensor& want, int64_t want_row, int64_t rows) {
  const int64_t vocab = want.dim(want.rank() - 1);
  double diff = 0, scale = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t v = 0; v < vocab; ++v) {
      double a = got.to_double((got_row + r) * vocab + v), b = want.to_double((want_row + r) * vocab + v);
      diff = std::max(diff, std::isnan(a) ? INFINITY : std::fabs(a - b));
      scale = std::max(scale, std::fabs(b));
    }
  return diff / (scale > 0 ? scale : 1.0);
}

template <class T>
Tensor vector_tensor(DataType dtype, Shape shape, const std::vector<int64_t>& values) {
  Tensor t = Tensor::empty(dtype, std::move(shape));
  for (size_t i = 0; i < values.size(); ++i) t.data<T>()[i] = static_cast<T>(values[i]);
  return t;
}

Tensor int_tensor(DataType dtype, Shape shape, const std::vector<int64_t>& values) {
  switch (dtype) {
    case DataType::kInt64: return vector_tensor<int64_t>(dtype, std::move(shape), values);
    case DataType::kInt32: return vector_tensor<int32_t>(dtype, std::move(shape), values);
    case DataType::kFloat: return vector_tensor<float>(dtype, std::move(shape), values);
    default: fail("unexpected input dtype ", to_string(dtype));
  }
}

// A paged session the way the engine drives it: sequences own block tables, each run flattens
// the new tokens of several sequences.
class PagedModel {
 public:
  PagedModel(const Fixture& f) : pass_(std::make_shared<PagedAttentionRewrite>(config_of(f))) {
    SessionOptions options;
    options.passes = {pass_};
    session_ = std::make_unique<Session>(f.model.string(), options);
    const auto& r = pass_->report();
    if (!r.rewritten) return;
    KvCacheConfig kv;
    kv.num_layers = 0;
    for (const auto& l : r.layers) kv.num_layers = std::max(kv.num_layers, l.index + 1);
    kv.num_kv_heads = r.num_kv_heads;
    kv.head_size = r.head_size;
    kv.block_size = kBlockSize;
    kv.dtype = r.kv_dtype;
    pool_ = std::make_unique<KvBlockPool>(kv, kNumBlocks);
  }

  const PagedAttentionReport& report() const { return pass_->report(); }
  const Session& session() const { return *session_; }
  BlockTable new_sequence() { return BlockTable(*pool_); }

  struct Work {
    BlockTable* table;
    std::vector<int64_t> tokens;
  };

  // Runs one flattened step; returns logits for every new token, in batch order ([1, T, vocab]).
  Tensor run(const std::vector<Work>& batch) {
    std::vector<int64_t> ids, positions, slots, lens, loc = {0}, rows;
    int64_t max_blocks = 1;
    for (const auto& w : batch) {
      const int64_t start = w.table->num_tokens();
      EXPECT_TRUE(w.table->reserve(static_cast<int64_t>(w.tokens.size())));
      for (size_t i = 0; i < w.tokens.size(); ++i) {
        ids.push_back(w.tokens[i]);
        positions.push_back(start + static_cast<int64_t>(i));
        slots.push_back(w.table->slot(start + static_cast<int64_t>(i)));
        rows.push_back(static_cast<int64_t>(rows.size()));
      }
      std::vector<TokenId> appended(w.tokens.begin(), w.tokens.end());
      w.table->append(appended);
      lens.push_back(w.table->num_tokens());
      loc.push_back(loc.back() + static_cast<int64_t>(w.tokens.size()));
      max_blocks = std::max<int64_t>(max_blocks, static_cast<int64_t>(w.table->blocks().size()));
    }
    std::vector<int64_t> tables(batch.size() * static_cast<size_t>(max_blocks), 0);
    for (size_t s = 0; s < batch.size(); ++s)
      for (size_t b = 0; b < batch[s].table->blocks().size(); ++b) tables[s * max_blocks + b] = batch[s].table->blocks()[b];
    const int64_t t = static_cast<int64_t>(ids.size()), seqs = static_cast<int64_t>(batch.size());
    std::map<std::string, Tensor> feeds;
    for (const ValueInfo* in : session_->inputs()) {
      const std::string& n = in->name;
      if (n == paged::kInputIds) feeds[n] = int_tensor(in->dtype, {1, t}, ids);
      else if (n == paged::kPositionIds) feeds[n] = int_tensor(in->dtype, {1, t}, positions);
      else if (n == paged::kAttentionMask) feeds[n] = int_tensor(in->dtype, {1, t}, std::vector<int64_t>(t, 1));
      else if (n == paged::kSlotMapping) feeds[n] = int_tensor(DataType::kInt32, {t}, slots);
      else if (n == paged::kBlockTables) feeds[n] = int_tensor(DataType::kInt32, {seqs, max_blocks}, tables);
      else if (n == paged::kContextLens) feeds[n] = int_tensor(DataType::kInt32, {seqs}, lens);
      else if (n == paged::kQueryStartLoc) feeds[n] = int_tensor(DataType::kInt32, {seqs + 1}, loc);
      else if (n == paged::kLogitsIndices) feeds[n] = int_tensor(DataType::kInt32, {t}, rows);
      else if (n.starts_with(paged::kKeyCachePrefix)) feeds[n] = pool_->keys(std::stoll(n.substr(std::string(paged::kKeyCachePrefix).size())));
      else if (n.starts_with(paged::kValueCachePrefix)) feeds[n] = pool_->values(std::stoll(n.substr(std::string(paged::kValueCachePrefix).size())));
      else fail("the rewritten graph reads '", n, "', which is not in the engine's contract");
    }
    auto outs = session_->run(feeds);
    for (size_t i = 0; i < outs.size(); ++i)
      if (session_->outputs()[i].name == "logits") return outs[i];
    fail("no logits output");
  }

 private:
  std::shared_ptr<PagedAttentionRewrite> pass_;
  std::unique_ptr<Session> session_;
  std::unique_ptr<KvBlockPool> pool_;
};

// Where input_ids and logits sit among the original graph's fed inputs and outputs.
std::pair<size_t, size_t> io_positions(const Fixture& f) {
  Model m = load_model(f.model.string());
  size_t in = 0, out = 0;
  auto req = m.graph->required_inputs();
  while (in < req.size() && req[in]->name != "input_ids") ++in;
  while (out < m.graph->outputs.size() && m.graph->outputs[out].name != "logits") ++out;
  return {in, out};
}

std::vector<int64_t> ids_of(const Tensor& t) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < t.numel(); ++i) out.push_back(t.to_int64(i));
  return out;
}

class Rewrite : public ::testing::TestWithParam<Fixture> {};

TEST_P(Rewrite, PagedRunMatchesOnnxRuntime) {
  const Fixture& f = GetParam();
  if (!f.missing.empty()) GTEST_SKIP() << f.missing;
  PagedModel model(f);
  const auto& r = model.report();
  ASSERT_TRUE(r.rewritten) << r.reason;
  std::cout << "REWRITE " << f.name << ": " << r.summary() << "\n";
  EXPECT_TRUE(r.logits_gathered);
  for (const auto& in : model.session().inputs())
    EXPECT_FALSE(in->name.starts_with("past")) << in->name << " still fed";
  const auto [ids_at, logits_at] = io_positions(f);
  BlockTable seq = model.new_sequence();
  int steps = 0;
  for (int step = 0; fs::exists(f.steps / ("step_" + std::to_string(step))); ++step, ++steps) {
    const fs::path dir = f.steps / ("step_" + std::to_string(step));
    Tensor ids = read_tensor_file((dir / ("input_" + std::to_string(ids_at) + ".pb")).string());
    Tensor want = read_tensor_file((dir / ("output_" + std::to_string(logits_at) + ".pb")).string());
    Tensor got = model.run({{&seq, ids_of(ids)}});
    ASSERT_EQ(got.dtype(), want.dtype());
    ASSERT_EQ(got.shape(), want.shape()) << got.describe() << " vs " << want.describe();
    const double rel = relative_diff(got, 0, want, 0, want.dim(1));
    std::cout << "  step " << step << " relative diff " << rel << "\n";
    EXPECT_LE(rel, tolerance(f.name, want.dtype())) << "step " << step;
  }
  EXPECT_GE(steps, 1);
}

std::string test_name(const ::testing::TestParamInfo<Fixture>& info) {
  std::string s = info.param.name;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Rewrite, ::testing::ValuesIn(discover()), test_name);

// A sequence's logits do not depend on what else shares its run: alone, then flattened with a
// second sequence's decode (mixed prefill + decode) and with its decode.
class BatchComposition : public ::testing::TestWithParam<std::string> {};

TEST_P(BatchComposition, FlattenedEqualsAlone) {
  Fixture f{GetParam(), fs::path(ONNXGEN_FIXTURES_DIR) / GetParam(), {}, {}, ""};
  f.model = f.dir / "model.onnx";
  const std::vector<int64_t> prompt = {40, 316, 298, 423, 277}, other = {11, 57, 300};
  PagedModel solo(f);
  ASSERT_TRUE(solo.report().rewritten) << solo.report().reason;
  BlockTable a = solo.new_sequence();
  Tensor prefill = solo.run({{&a, prompt}});
  Tensor decode = solo.run({{&a, {99}}});

  PagedModel mixed(f);
  BlockTable a2 = mixed.new_sequence(), b = mixed.new_sequence();
  mixed.run({{&b, other}});
  Tensor both_prefill = mixed.run({{&b, {7}}, {&a2, prompt}});  // b decodes while a prefills
  Tensor both_decode = mixed.run({{&a2, {99}}, {&b, {8}}});
  const int64_t n = static_cast<int64_t>(prompt.size());
  EXPECT_LE(relative_diff(both_prefill, 1, prefill, 0, n), 1e-5);
  EXPECT_LE(relative_diff(both_decode, 0, decode, 0, 1), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BatchComposition,
                         ::testing::Values("llama-genai-fp32", "mistral-genai-fp32", "llama-optimum-fp32",
                                           "gemma2-optimum-fp32"),
                         [](const auto& info) {
                           std::string s = info.param;
                           std::replace(s.begin(), s.end(), '-', '_');
                           return s;
                         });

ValueInfo named(const std::string& name) {
  ValueInfo v;
  v.name = name;
  return v;
}

Node node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
  Node n;
  n.name = op;
  n.op_type = op;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

TEST(PagedAttentionRewrite, GraphWithoutAttentionIsLeftAloneWithAReason) {
  Model m;
  m.opsets[""] = 17;
  m.graph = std::make_shared<Graph>();
  m.graph->inputs = {named("x"), named("y")};
  m.graph->nodes = {node("MatMul", {"x", "y"}, {"s"}), node("Softmax", {"s"}, {"logits"})};
  m.graph->outputs = {named("logits")};
  const auto before = m.graph;
  ModelConfig c;
  c.num_layers = 1;
  c.num_heads = 2;
  PagedAttentionRewrite pass(c);
  EXPECT_FALSE(pass.run(m));
  EXPECT_FALSE(pass.report().rewritten);
  EXPECT_NE(pass.report().reason.find("no attention recognised"), std::string::npos) << pass.report().reason;
  EXPECT_EQ(m.graph, before);
  EXPECT_EQ(m.graph->nodes.size(), 2u);
  EXPECT_FALSE(m.opsets.count("com.onnxgen"));
}

TEST(PagedAttentionRewrite, OneUnsupportedLayerLeavesEveryLayerAlone) {
  const fs::path dir = fs::path(ONNXGEN_FIXTURES_DIR) / "llama-genai-fp32";
  Model m = load_model((dir / "model.onnx").string());
  Node* last = nullptr;
  for (auto& n : m.graph->nodes)
    if (n.op_type == "GroupQueryAttention") last = &n;
  ASSERT_NE(last, nullptr);
  Attribute smooth;
  smooth.kind = Attribute::Kind::kInt;
  smooth.i = 1;
  last->attrs.set("smooth_softmax", smooth);
  const auto before = m.graph;
  const size_t nodes = m.graph->nodes.size();
  PagedAttentionRewrite pass(ModelConfig::load(dir.string()));
  EXPECT_FALSE(pass.run(m));
  EXPECT_NE(pass.report().reason.find("smooth_softmax"), std::string::npos) << pass.report().reason;
  EXPECT_EQ(m.graph, before);
  EXPECT_EQ(m.graph->nodes.size(), nodes);
  EXPECT_TRUE(pass.report().layers.empty());
}

// Attention ops with past/present that no fixture exports: the paged graph gives what the
// contiguous one gives over a prefill and two decodes. ONNX Attention 3-D with a softcap, 4-D with
// a window; com.microsoft MultiHeadAttention with a bias.
enum class OpKind { kOnnx3D, kOnnx4D, kMultiHead };

void PrintTo(OpKind k, std::ostream* os) {
  *os << (k == OpKind::kOnnx3D ? "ONNX Attention 3-D" : k == OpKind::kOnnx4D ? "ONNX Attention 4-D" : "MultiHeadAttention");
}

class SingleAttention : public ::testing::TestWithParam<OpKind> {};

TEST_P(SingleAttention, PagedEqualsContiguous) {
  const bool four_d = GetParam() == OpKind::kOnnx4D, mha = GetParam() == OpKind::kMultiHead;
  constexpr int64_t H = 4, D = 8;
  const int64_t KVH = mha ? H : 2;
  auto shape_of = [&](int64_t heads, int64_t tokens) {
    return four_d ? Shape{1, heads, tokens, D} : Shape{1, tokens, heads * D};
  };
  Model m;
  m.opsets[""] = 25;
  m.opsets["com.microsoft"] = 1;
  m.graph = std::make_shared<Graph>();
  Graph& g = *m.graph;
  for (const char* name : {"q", "k", "v", "past_key_values.0.key", "past_key_values.0.value"}) {
    ValueInfo in = named(name);
    in.dtype = DataType::kFloat;
    g.inputs.push_back(in);
  }
  Node attention = mha ? node("MultiHeadAttention",
                              {"q", "k", "v", "bias", "", "", "past_key_values.0.key", "past_key_values.0.value"},
                              {"y", "present.0.key", "present.0.value"})
                       : node("Attention", {"q", "k", "v", "", "past_key_values.0.key", "past_key_values.0.value"},
                              {"y", "present.0.key", "present.0.value"});
  Attribute a;
  a.kind = Attribute::Kind::kInt;
  a.i = 1;
  attention.attrs.set("is_causal", a);
  if (mha) {
    attention.domain = "com.microsoft";
    attention.attrs = {};
    attention.attrs.set("unidirectional", a);
    a.i = H;
    attention.attrs.set("num_heads", a);
    Tensor bias = Tensor::empty(DataType::kFloat, {3 * H * D});
    for (int64_t i = 0; i < bias.numel(); ++i) bias.data<float>()[i] = 0.01f * static_cast<float>(i % 17);
    g.initializers["bias"] = bias;
  } else if (four_d) {
    a.i = 1;  // the query and the key before it
    attention.attrs.set("left_window_size", a);
  } else {
    a.i = H;
    attention.attrs.set("q_num_heads", a);
    a.i = KVH;
    attention.attrs.set("kv_num_heads", a);
    Attribute cap;
    cap.kind = Attribute::Kind::kFloat;
    cap.f = 2.0f;
    attention.attrs.set("softcap", cap);
  }
  g.nodes = {attention};
  g.outputs = {named("y"), named("present.0.key"), named("present.0.value")};
  ModelConfig c;
  c.num_layers = 1;
  c.num_heads = H;
  c.num_kv_heads = KVH;
  c.head_size = D;

  auto pass = std::make_shared<PagedAttentionRewrite>(c);
  SessionOptions options;
  options.passes = {pass};
  Session paged(m, options);
  ASSERT_TRUE(pass->report().rewritten) << pass->report().reason;
  EXPECT_EQ(pass->report().layers.at(0).sliding_window, four_d ? 2 : 0);
  Session contiguous(m);
  KvCacheConfig kv;
  kv.num_layers = 1;
  kv.num_kv_heads = KVH;
  kv.head_size = D;
  kv.block_size = 2;
  KvBlockPool pool(kv, 8);
  BlockTable seq(pool);

  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  auto random = [&](Shape shape) {
    Tensor t = Tensor::empty(DataType::kFloat, std::move(shape));
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = normal(rng);
    return t;
  };
  Tensor past_k = Tensor::zeros(DataType::kFloat, {1, KVH, 0, D}), past_v = past_k;
  for (int64_t tokens : {3, 1, 1}) {
    Tensor q = random(shape_of(H, tokens)), k = random(shape_of(KVH, tokens)), v = random(shape_of(KVH, tokens));
    auto want = contiguous.run(std::map<std::string, Tensor>{
        {"q", q}, {"k", k}, {"v", v}, {"past_key_values.0.key", past_k}, {"past_key_values.0.value", past_v}});
    past_k = want[1], past_v = want[2];
    const int64_t start = seq.num_tokens();
    ASSERT_TRUE(seq.reserve(tokens));
    std::vector<int64_t> slots;
    for (int64_t i = 0; i < tokens; ++i) slots.push_back(seq.slot(start + i));
    seq.append(std::vector<TokenId>(static_cast<size_t>(tokens), 0));
    std::vector<int64_t> table(seq.blocks().begin(), seq.blocks().end());
    auto got = paged.run(std::map<std::string, Tensor>{
        {"q", q}, {"k", k}, {"v", v}, {key_cache_input(0), pool.keys(0)}, {value_cache_input(0), pool.values(0)},
        {paged::kSlotMapping, int_tensor(DataType::kInt32, {tokens}, slots)},
        {paged::kBlockTables, int_tensor(DataType::kInt32, {1, static_cast<int64_t>(table.size())}, table)},
        {paged::kContextLens, int_tensor(DataType::kInt32, {1}, {seq.num_tokens()})},
        {paged::kQueryStartLoc, int_tensor(DataType::kInt32, {2}, {0, tokens})}});
    ASSERT_EQ(got.at(0).shape(), want[0].shape());
    double diff = 0;
    for (int64_t i = 0; i < want[0].numel(); ++i)
      diff = std::max(diff, std::fabs(got[0].to_double(i) - want[0].to_double(i)));
    EXPECT_LE(diff, 1e-5) << tokens << " tokens at position " << start;
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, SingleAttention,
                         ::testing::Values(OpKind::kOnnx3D, OpKind::kOnnx4D, OpKind::kMultiHead),
                         [](const auto& info) {
                           return info.param == OpKind::kOnnx3D   ? "OnnxAttention3D"
                                  : info.param == OpKind::kOnnx4D ? "OnnxAttention4D"
                                                                  : "MultiHeadAttention";
                         });

}  // namespace
}  // namespace onnxgen::models
