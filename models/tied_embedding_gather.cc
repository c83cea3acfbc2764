#include "models/tied_embedding_gather.h"

#include "models/graph_editor.h"

namespace onnxgen::models {
namespace {

// Rank of a graph input or annotated value, -1 when the graph does not say.
int64_t declared_rank(const Graph& graph, const std::string& name) {
  for (const auto* infos : {&graph.inputs, &graph.value_infos})
    for (const ValueInfo& v : *infos)
      if (v.name == name && v.has_shape) return static_cast<int64_t>(v.dims.size());
  return -1;
}

bool swaps_two_axes(const Node& transpose, const Tensor& input) {
  if (input.rank() != 2) return false;
  if (!transpose.attrs.has("perm")) return true;  // the default reverses the axes
  return transpose.attrs.get_ints("perm") == std::vector<int64_t>{1, 0};
}

}  // namespace

bool TiedEmbeddingGather::run(Model& model) {
  Graph& graph = *model.graph;
  GraphEditor editor(graph);
  bool changed = false;
  for (const Node& gather : graph.nodes) {
    if (!gather.domain.empty() || gather.op_type != "Gather" || gather.inputs.size() != 2) continue;
    if (gather.attrs.get_int("axis", 0) != 0) continue;
    const Node* transpose = editor.producer(gather.inputs[0]);
    if (!transpose || !transpose->domain.empty() || transpose->op_type != "Transpose") continue;
    const Tensor* weight = editor.constant(transpose->inputs[0]);
    if (!weight || !swaps_two_axes(*transpose, *weight)) continue;
    if (editor.consumers(transpose->outputs[0]).size() != 1 || editor.is_graph_output(transpose->outputs[0])) continue;
    const int64_t index_rank = declared_rank(graph, gather.inputs[1]);
    if (index_rank < 0) continue;
    // Gather(W, ids, axis=1) is [hidden, ids...]; the hidden axis moves last.
    AttributeMap gather_attrs;
    gather_attrs.set("axis", int_attribute(1));
    const std::string columns = editor.add_node("Gather", "", {transpose->inputs[0], gather.inputs[1]}, {""},
                                                std::move(gather_attrs));
    std::vector<int64_t> perm;
    for (int64_t i = 1; i <= index_rank; ++i) perm.push_back(i);
    perm.push_back(0);
    AttributeMap transpose_attrs;
    transpose_attrs.set("perm", ints_attribute(perm));
    editor.add_node("Transpose", "", {columns}, {gather.outputs[0]}, std::move(transpose_attrs));
    editor.remove(&gather);
    editor.remove(transpose);
    changed = true;
  }
  editor.commit();
  return changed;
}

}  // namespace onnxgen::models
