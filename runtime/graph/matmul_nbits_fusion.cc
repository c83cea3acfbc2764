#include "runtime/graph/matmul_nbits_fusion.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "runtime/ops/cpu/q4_int8_gemm.h"
#include "runtime/ops/matmul_nbits_inputs.h"

namespace onnxgen {
namespace {

// A MatMulNBits the fused kernel computes: N when it is one, else 0.
int64_t fusable_n(const Graph& graph, const Node& n) {
  if (n.domain != "com.microsoft" || n.op_type != "MatMulNBits" || n.outputs.size() != 1 || n.outputs[0].empty())
    return 0;
  if (n.inputs.size() < 3 || n.inputs[0].empty()) return 0;
  for (size_t i = 3; i < n.inputs.size(); ++i)
    if (!n.inputs[i].empty()) return 0;
  const int64_t k = n.attrs.get_int("K", 0), nn = n.attrs.get_int("N", 0), block = n.attrs.get_int("block_size", 0);
  if (n.attrs.get_int("bits", 4) != 4 || n.attrs.get_int("accuracy_level", 0) != kMatMulNBitsInt8AccuracyLevel ||
      k <= 0 || nn <= 0 || block <= 0 || block % 32 != 0 || k % block != 0)
    return 0;
  const auto b = graph.initializers.find(n.inputs[1]);
  const auto scales = graph.initializers.find(n.inputs[2]);
  if (b == graph.initializers.end() || scales == graph.initializers.end()) return 0;
  if (b->second.dtype() != DataType::kUInt8 || b->second.shape() != Shape{nn, k / block, block / 2}) return 0;
  if (scales->second.dtype() != DataType::kFloat || scales->second.numel() != nn * (k / block)) return 0;
  return nn;
}

}  // namespace

bool MatMulNBitsFusion::run(Model& model) {
  Graph& graph = *model.graph;
  // Fusable nodes (index, N) by (input, K, block size), in graph order.
  std::map<std::tuple<std::string, int64_t, int64_t>, std::vector<std::pair<size_t, int64_t>>> groups;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& n = graph.nodes[i];
    if (const int64_t nn = fusable_n(graph, n); nn > 0)
      groups[{n.inputs[0], n.attrs.get_int("K"), n.attrs.get_int("block_size")}].push_back({i, nn});
  }
  std::vector<bool> erased(graph.nodes.size(), false);
  bool changed = false;
  for (auto& [key, members] : groups) {
    // The one N not a multiple of kQ4GroupRows goes last; a second such node stays on its own.
    std::vector<size_t> parts, ragged;
    for (const auto& [i, nn] : members) (nn % kQ4GroupRows == 0 ? parts : ragged).push_back(i);
    if (!ragged.empty()) parts.push_back(ragged.front());
    if (parts.size() < 2) continue;
    Node fused;
    fused.name = graph.nodes[parts.front()].name + "/fused";
    fused.op_type = "FusedMatMulNBits";
    fused.domain = "com.onnxgen";
    fused.attrs.set("K", int_attribute(std::get<1>(key)));
    fused.attrs.set("block_size", int_attribute(std::get<2>(key)));
    fused.attrs.set("bits", int_attribute(4));
    fused.attrs.set("accuracy_level", int_attribute(kMatMulNBitsInt8AccuracyLevel));
    fused.inputs = {std::get<0>(key)};
    for (size_t i : parts) {
      const Node& n = graph.nodes[i];
      fused.inputs.push_back(n.inputs[1]);
      fused.inputs.push_back(n.inputs[2]);
      fused.outputs.push_back(n.outputs[0]);
      erased[i] = true;
    }
    // At the first part's place: the others read only A and initializers, so every reader of
    // their outputs comes after it.
    const size_t at = *std::min_element(parts.begin(), parts.end());
    graph.nodes[at] = std::move(fused);
    erased[at] = false;
    changed = true;
  }
  if (!changed) return false;
  erase_nodes(graph, erased);
  import_onnxgen_domain(model);
  return true;
}

}  // namespace onnxgen
