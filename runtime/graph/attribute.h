#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/core/tensor.h"

namespace onnxgen {

struct Graph;

struct Attribute {
  enum class Kind { kFloat, kInt, kString, kTensor, kGraph, kFloats, kInts, kStrings, kTensors, kGraphs, kType };  // kType: a TypeProto, kept as its kind only
  Kind kind = Kind::kInt;
  float f = 0;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::shared_ptr<Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<Tensor> tensors;
  std::vector<std::shared_ptr<Graph>> graphs;
};

std::string to_string(Attribute::Kind kind);

// Attributes of one kind, for graphs built in code (rewrites, tests).
Attribute int_attribute(int64_t v);
Attribute float_attribute(float v);
Attribute ints_attribute(std::vector<int64_t> v);
Attribute string_attribute(std::string v);
Attribute graph_attribute(std::shared_ptr<Graph> g);

// Typed access to a node's attributes; a wrong kind is an error naming the attribute.
class AttributeMap {
 public:
  bool has(const std::string& name) const { return attrs_.count(name) != 0; }
  const Attribute* find(const std::string& name) const;
  void set(const std::string& name, Attribute a) { attrs_[name] = std::move(a); }
  const std::map<std::string, Attribute>& all() const { return attrs_; }

  int64_t get_int(const std::string& name) const;
  int64_t get_int(const std::string& name, int64_t fallback) const;
  float get_float(const std::string& name, float fallback) const;
  std::string get_string(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> get_ints(const std::string& name, std::vector<int64_t> fallback = {}) const;
  std::optional<std::vector<int64_t>> find_ints(const std::string& name) const;
  std::vector<float> get_floats(const std::string& name, std::vector<float> fallback = {}) const;
  std::vector<std::string> get_strings(const std::string& name, std::vector<std::string> fallback = {}) const;
  const Tensor* get_tensor(const std::string& name) const;
  std::shared_ptr<Graph> get_graph(const std::string& name) const;

 private:
  const Attribute& expect(const std::string& name, Attribute::Kind kind) const;
  std::map<std::string, Attribute> attrs_;
};

}  // namespace onnxgen
