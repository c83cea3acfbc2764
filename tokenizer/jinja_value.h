#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace onnxgen::tokenizer::jinja {

// A failure while evaluating, before the interpreter has attached the template line to it.
class EvalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Value;

struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
};

using Function = std::function<Value(CallArgs&)>;

// A Python-like value as Jinja2 sees it. Lists and dicts are shared by reference, as in Python,
// so namespace() attributes set inside loops are visible outside them.
class Value {
 public:
  using List = std::vector<Value>;
  // Insertion-ordered like Python dicts; templates index small dicts, so a vector is enough.
  struct Dict {
    std::vector<std::pair<std::string, Value>> items;
    bool is_namespace = false;
    const Value* find(std::string_view key) const;
    void set(std::string key, Value v);
  };
  struct Undefined {
    std::string name;
  };

  Value() : data_(Undefined{}) {}
  static Value undefined(std::string name) { return Value(Undefined{std::move(name)}); }
  static Value none() { return Value(nullptr); }
  Value(bool b) : data_(b) {}
  Value(int64_t i) : data_(i) {}
  Value(int i) : data_(static_cast<int64_t>(i)) {}
  Value(size_t i) : data_(static_cast<int64_t>(i)) {}
  Value(double d) : data_(d) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(List l) : data_(std::make_shared<List>(std::move(l))) {}
  Value(Dict d) : data_(std::make_shared<Dict>(std::move(d))) {}
  Value(Function f) : data_(std::make_shared<Function>(std::move(f))) {}
  // Keeps object key order, which tojson output and tool schemas depend on.
  static Value from_json(const nlohmann::ordered_json& j);

  bool is_undefined() const { return std::holds_alternative<Undefined>(data_); }
  bool is_none() const { return std::holds_alternative<std::nullptr_t>(data_); }
  bool is_bool() const { return std::holds_alternative<bool>(data_); }
  bool is_int() const { return std::holds_alternative<int64_t>(data_); }
  bool is_float() const { return std::holds_alternative<double>(data_); }
  bool is_number() const { return is_int() || is_float() || is_bool(); }
  bool is_string() const { return std::holds_alternative<std::string>(data_); }
  bool is_list() const { return std::holds_alternative<std::shared_ptr<List>>(data_); }
  bool is_dict() const { return std::holds_alternative<std::shared_ptr<Dict>>(data_); }
  bool is_function() const { return std::holds_alternative<std::shared_ptr<Function>>(data_); }

  bool as_bool() const { return std::get<bool>(data_); }
  int64_t as_int() const { return std::get<int64_t>(data_); }
  double as_number() const;  // int, float or bool as double
  const std::string& as_string() const { return std::get<std::string>(data_); }
  List& as_list() const { return *std::get<std::shared_ptr<List>>(data_); }
  Dict& as_dict() const { return *std::get<std::shared_ptr<Dict>>(data_); }
  Function& as_function() const { return *std::get<std::shared_ptr<Function>>(data_); }
  const std::string& undefined_name() const { return std::get<Undefined>(data_).name; }

  // Python semantics: truthiness, str(), repr(), ==, and the type name used in error messages.
  bool truthy() const;
  std::string str() const;
  std::string repr() const;
  bool equals(const Value& other) const;
  std::string type_name() const;
  // Elements when iterating: list items, dict keys, string characters. Throws for scalars.
  List iterate() const;
  // json.dumps(value, ensure_ascii=False, indent=indent) as transformers' tojson calls it.
  std::string to_json(int indent = -1) const;

 private:
  explicit Value(Undefined u) : data_(std::move(u)) {}
  explicit Value(std::nullptr_t) : data_(nullptr) {}

  std::variant<Undefined, std::nullptr_t, bool, int64_t, double, std::string, std::shared_ptr<List>,
               std::shared_ptr<Dict>, std::shared_ptr<Function>>
      data_;
};

// Splits a UTF-8 string into code points, which is what Python indexes and slices.
std::vector<std::string> code_points(std::string_view s);
std::string format_float(double d);

}  // namespace onnxgen::tokenizer::jinja
