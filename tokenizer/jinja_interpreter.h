#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "jinja_ast.h"

namespace onnxgen::tokenizer::jinja {

// Walks a parsed template with Jinja2's semantics: loops and macros get their own scope,
// `set` inside a loop does not leak out (namespace() objects are the way out), undefined names
// render as "" but fail on attribute access. Errors are TemplateError with the template line.
class Interpreter {
 public:
  explicit Interpreter(const Value::Dict& context);
  std::string render(const Body& body);

 private:
  enum class Flow { Normal, Break, Continue };
  using Frame = std::unordered_map<std::string, Value>;

  Flow exec(const Body& body, std::string& out);
  Flow exec(const Stmt& stmt, std::string& out);
  void exec_for(const Stmt& stmt, std::string& out);
  void exec_set(const Stmt& stmt);
  Value make_macro(const Stmt& stmt);

  Value eval(const Expr& expr);
  Value eval_binary(const Expr& expr);
  CallArgs eval_args(const Expr& expr, size_t first_positional);

  Value lookup(const std::string& name) const;
  void assign(const std::string& name, Value value) { scopes_.back()[name] = std::move(value); }
  void assign_targets(const std::vector<std::string>& targets, const Value& value);

  std::vector<Frame> scopes_;
};

}  // namespace onnxgen::tokenizer::jinja
