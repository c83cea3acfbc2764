#include "runtime/graph/dead_code.h"

#include <unordered_map>
#include <unordered_set>

namespace onnxgen {

namespace {

// Every name `node` reads: its inputs and what its subgraphs capture from the enclosing scopes.
std::vector<std::string> names_read(const Node& node) {
  std::vector<std::string> out;
  for (const auto& in : node.inputs)
    if (!in.empty()) out.push_back(in);
  for (const auto& [attr_name, a] : node.attrs.all()) {
    std::vector<std::shared_ptr<Graph>> subs = a.graphs;
    if (a.g) subs.push_back(a.g);
    for (const auto& sub : subs)
      for (auto& name : sub->outer_scope_names()) out.push_back(std::move(name));
  }
  return out;
}

}  // namespace

bool remove_dead_code(Graph& graph) {
  std::unordered_map<std::string, size_t> producer;
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    for (const auto& o : graph.nodes[i].outputs)
      if (!o.empty()) producer[o] = i;

  // Walk back from the outputs; a name is read once it is on the worklist.
  std::unordered_set<std::string> read;
  std::vector<std::string> work;
  auto mark = [&](const std::string& name) {
    if (read.insert(name).second) work.push_back(name);
  };
  for (const auto& o : graph.outputs) mark(o.name);
  std::vector<bool> live(graph.nodes.size(), false);
  while (!work.empty()) {
    std::string name = std::move(work.back());
    work.pop_back();
    auto it = producer.find(name);
    if (it == producer.end() || live[it->second]) continue;
    live[it->second] = true;
    for (const auto& in : names_read(graph.nodes[it->second])) mark(in);
  }

  bool changed = false;
  std::vector<Node> kept;
  kept.reserve(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (live[i]) kept.push_back(std::move(graph.nodes[i]));
    else changed = true;
  }
  graph.nodes = std::move(kept);

  std::erase_if(graph.inputs, [&](const ValueInfo& in) {
    bool dead = !read.count(in.name);
    changed |= dead;
    return dead;
  });
  std::erase_if(graph.initializers, [&](const auto& entry) {
    bool dead = !read.count(entry.first);
    changed |= dead;
    return dead;
  });
  std::erase_if(graph.value_infos, [&](const ValueInfo& vi) { return !read.count(vi.name); });
  return changed;
}

}  // namespace onnxgen
