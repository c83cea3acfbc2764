// Gather(Transpose(W), ids) on a constant W: the pass gathers W's columns instead, so no
// transposed copy of the embedding is ever made, and the looked-up rows stay the same.
#include "models/tied_embedding_gather.h"

#include <gtest/gtest.h>

#include <random>

#include "runtime/exec/session.h"

namespace onnxgen::models {
namespace {

constexpr int64_t kHidden = 5, kVocab = 11;

ValueInfo output_named(const std::string& name) {
  ValueInfo vi;
  vi.name = name;
  return vi;
}

// W [hidden, vocab] as an initializer; ids [2, 3] a graph input; embeddings = Gather(Transpose(W), ids).
Model tied_model(const Tensor& w) {
  auto g = std::make_shared<Graph>();
  g->name = "tied";
  g->initializers["W"] = w;
  ValueInfo ids{"ids", ValueInfo::Kind::kTensor, DataType::kInt64, true, {{2, ""}, {3, ""}}};
  g->inputs.push_back(ids);
  Node transpose{"t", "Transpose", "", {"W"}, {"WT"}, {}};
  transpose.attrs.set("perm", ints_attribute({1, 0}));
  g->nodes.push_back(transpose);
  g->nodes.push_back(Node{"g", "Gather", "", {"WT", "ids"}, {"embeddings"}, {}});
  g->outputs.push_back(output_named("embeddings"));
  Model m;
  m.opsets = {{"", 17}};
  m.graph = g;
  return m;
}

Tensor random_weight() {
  std::mt19937 rng(3);
  Tensor w = Tensor::empty(DataType::kFloat, {kHidden, kVocab});
  for (int64_t i = 0; i < w.numel(); ++i) w.data<float>()[i] = std::uniform_real_distribution<float>(-1, 1)(rng);
  return w;
}

TEST(TiedEmbeddingGather, GathersColumnsInsteadOfTransposingTheWeight) {
  const Tensor w = random_weight();
  Model rewritten = tied_model(w);
  ASSERT_TRUE(TiedEmbeddingGather().run(rewritten));
  bool transposes_weight = false, gathers_columns = false;
  for (const Node& n : rewritten.graph->nodes) {
    transposes_weight |= n.op_type == "Transpose" && n.inputs[0] == "W";
    gathers_columns |= n.op_type == "Gather" && n.inputs[0] == "W" && n.attrs.get_int("axis", 0) == 1;
  }
  EXPECT_FALSE(transposes_weight);
  EXPECT_TRUE(gathers_columns);

  Tensor ids = Tensor::empty(DataType::kInt64, {2, 3});
  const int64_t picks[] = {0, 10, 4, 4, 7, 1};
  for (int i = 0; i < 6; ++i) ids.data<int64_t>()[i] = picks[i];
  const Tensor got = Session(std::move(rewritten)).run(std::vector<Tensor>{ids})[0];
  ASSERT_EQ(got.describe(), "float32[2,3,5]");
  for (int i = 0; i < 6; ++i)
    for (int64_t h = 0; h < kHidden; ++h)
      EXPECT_EQ(got.data<float>()[i * kHidden + h], w.data<float>()[h * kVocab + picks[i]]) << "id " << i << " dim " << h;
}

TEST(TiedEmbeddingGather, LeavesOtherTransposesAlone) {
  Model m = tied_model(random_weight());
  m.graph->nodes[0].attrs.set("perm", ints_attribute({0, 1}));  // not a swap
  EXPECT_FALSE(TiedEmbeddingGather().run(m));
  Model shared = tied_model(random_weight());
  shared.graph->outputs.push_back(output_named("WT"));  // the transposed weight is wanted itself
  EXPECT_FALSE(TiedEmbeddingGather().run(shared));
}

}  // namespace
}  // namespace onnxgen::models
