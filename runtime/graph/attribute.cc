#include "runtime/graph/attribute.h"

namespace onnxgen {

Attribute int_attribute(int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::kInt;
  a.i = v;
  return a;
}

Attribute float_attribute(float v) {
  Attribute a;
  a.kind = Attribute::Kind::kFloat;
  a.f = v;
  return a;
}

Attribute ints_attribute(std::vector<int64_t> v) {
  Attribute a;
  a.kind = Attribute::Kind::kInts;
  a.ints = std::move(v);
  return a;
}

Attribute string_attribute(std::string v) {
  Attribute a;
  a.kind = Attribute::Kind::kString;
  a.s = std::move(v);
  return a;
}

Attribute graph_attribute(std::shared_ptr<Graph> g) {
  Attribute a;
  a.kind = Attribute::Kind::kGraph;
  a.g = std::move(g);
  return a;
}

std::string to_string(Attribute::Kind kind) {
  switch (kind) {
    case Attribute::Kind::kFloat: return "float";
    case Attribute::Kind::kInt: return "int";
    case Attribute::Kind::kString: return "string";
    case Attribute::Kind::kTensor: return "tensor";
    case Attribute::Kind::kGraph: return "graph";
    case Attribute::Kind::kFloats: return "floats";
    case Attribute::Kind::kInts: return "ints";
    case Attribute::Kind::kStrings: return "strings";
    case Attribute::Kind::kTensors: return "tensors";
    case Attribute::Kind::kGraphs: return "graphs";
    case Attribute::Kind::kType: return "type";
  }
  return "unknown";
}

const Attribute* AttributeMap::find(const std::string& name) const {
  auto it = attrs_.find(name);
  return it == attrs_.end() ? nullptr : &it->second;
}

const Attribute& AttributeMap::expect(const std::string& name, Attribute::Kind kind) const {
  const Attribute* a = find(name);
  if (!a) fail("missing required attribute '", name, "'");
  if (a->kind != kind)
    fail("attribute '", name, "' should be ", to_string(kind), " but is ", to_string(a->kind));
  return *a;
}

int64_t AttributeMap::get_int(const std::string& name) const { return expect(name, Attribute::Kind::kInt).i; }

int64_t AttributeMap::get_int(const std::string& name, int64_t fallback) const {
  return has(name) ? get_int(name) : fallback;
}

float AttributeMap::get_float(const std::string& name, float fallback) const {
  return has(name) ? expect(name, Attribute::Kind::kFloat).f : fallback;
}

std::string AttributeMap::get_string(const std::string& name, const std::string& fallback) const {
  return has(name) ? expect(name, Attribute::Kind::kString).s : fallback;
}

std::vector<int64_t> AttributeMap::get_ints(const std::string& name, std::vector<int64_t> fallback) const {
  return has(name) ? expect(name, Attribute::Kind::kInts).ints : fallback;
}

std::optional<std::vector<int64_t>> AttributeMap::find_ints(const std::string& name) const {
  if (!has(name)) return std::nullopt;
  return expect(name, Attribute::Kind::kInts).ints;
}

std::vector<float> AttributeMap::get_floats(const std::string& name, std::vector<float> fallback) const {
  return has(name) ? expect(name, Attribute::Kind::kFloats).floats : fallback;
}

std::vector<std::string> AttributeMap::get_strings(const std::string& name,
                                                   std::vector<std::string> fallback) const {
  return has(name) ? expect(name, Attribute::Kind::kStrings).strings : fallback;
}

const Tensor* AttributeMap::get_tensor(const std::string& name) const {
  return has(name) ? &expect(name, Attribute::Kind::kTensor).t : nullptr;
}

std::shared_ptr<Graph> AttributeMap::get_graph(const std::string& name) const {
  return expect(name, Attribute::Kind::kGraph).g;
}

}  // namespace onnxgen
