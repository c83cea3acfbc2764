#include "jinja_interpreter.h"

#include <cmath>

#include "error.h"
#include "jinja_builtins.h"

namespace onnxgen::tokenizer::jinja {

namespace {

[[noreturn]] void located(int line, const std::string& what) {
  throw TemplateError("template line " + std::to_string(line) + ": " + what);
}

Value arithmetic(const std::string& op, const Value& a, const Value& b) {
  if (op == "+" && a.is_string() && b.is_string()) return Value(a.as_string() + b.as_string());
  if (op == "+" && a.is_list() && b.is_list()) {
    Value::List out = a.as_list();
    out.insert(out.end(), b.as_list().begin(), b.as_list().end());
    return Value(std::move(out));
  }
  if (op == "*" && (a.is_string() || a.is_list()) && b.is_int()) {
    if (a.is_string()) {
      std::string out;
      for (int64_t i = 0; i < b.as_int(); ++i) out += a.as_string();
      return Value(std::move(out));
    }
    Value::List out;
    for (int64_t i = 0; i < b.as_int(); ++i) out.insert(out.end(), a.as_list().begin(), a.as_list().end());
    return Value(std::move(out));
  }
  if (!a.is_number() || !b.is_number()) {
    throw EvalError("unsupported operand type(s) for " + op + ": '" + a.type_name() + "' and '" + b.type_name() + "'");
  }
  const bool integral = !a.is_float() && !b.is_float();
  const double x = a.as_number(), y = b.as_number();
  if (op == "/") {
    if (y == 0) throw EvalError("division by zero");
    return Value(x / y);
  }
  if (op == "**") {
    if (integral && y >= 0) return Value(static_cast<int64_t>(std::llround(std::pow(x, y))));
    return Value(std::pow(x, y));
  }
  if (integral) {
    const auto i = static_cast<int64_t>(x), j = static_cast<int64_t>(y);
    if (op == "+") return Value(i + j);
    if (op == "-") return Value(i - j);
    if (op == "*") return Value(i * j);
    if (j == 0) throw EvalError("integer division or modulo by zero");
    // Python floors; C++ truncates toward zero.
    const int64_t q = i / j - ((i % j != 0) && ((i < 0) != (j < 0)));
    if (op == "//") return Value(q);
    if (op == "%") return Value(i - q * j);
  } else {
    if (op == "+") return Value(x + y);
    if (op == "-") return Value(x - y);
    if (op == "*") return Value(x * y);
    if (y == 0) throw EvalError("float division or modulo by zero");
    if (op == "//") return Value(std::floor(x / y));
    if (op == "%") return Value(x - std::floor(x / y) * y);
  }
  throw EvalError("unknown operator '" + op + "'");
}

bool contains(const Value& container, const Value& item) {
  if (container.is_string()) {
    if (!item.is_string()) throw EvalError("'in <string>' requires string as left operand, not " + item.type_name());
    return container.as_string().find(item.as_string()) != std::string::npos;
  }
  if (container.is_dict()) return item.is_string() && container.as_dict().find(item.as_string()) != nullptr;
  if (container.is_list()) {
    for (const auto& v : container.as_list())
      if (v.equals(item)) return true;
    return false;
  }
  if (container.is_undefined()) return false;
  throw EvalError("argument of type '" + container.type_name() + "' is not iterable");
}

}  // namespace

Interpreter::Interpreter(const Value::Dict& context) {
  Value::Dict globals;
  install_globals(globals);
  for (const auto& [k, v] : context.items) globals.set(k, v);
  scopes_.emplace_back();
  for (auto& [k, v] : globals.items) scopes_.back()[k] = std::move(v);
}

std::string Interpreter::render(const Body& body) {
  std::string out;
  exec(body, out);
  return out;
}

Value Interpreter::lookup(const std::string& name) const {
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
    if (const auto found = it->find(name); found != it->end()) return found->second;
  }
  return Value::undefined(name);
}

Interpreter::Flow Interpreter::exec(const Body& body, std::string& out) {
  for (const auto& stmt : body) {
    if (const Flow f = exec(*stmt, out); f != Flow::Normal) return f;
  }
  return Flow::Normal;
}

Interpreter::Flow Interpreter::exec(const Stmt& stmt, std::string& out) {
  try {
    switch (stmt.kind) {
      case Stmt::Kind::Text:
        out += stmt.name;
        break;
      case Stmt::Kind::Print:
        out += eval(*stmt.expr).str();
        break;
      case Stmt::Kind::If:
        for (const auto& [cond, body] : stmt.branches) {
          if (eval(*cond).truthy()) return exec(body, out);
        }
        return exec(stmt.else_body, out);
      case Stmt::Kind::For:
        exec_for(stmt, out);
        break;
      case Stmt::Kind::Set:
        exec_set(stmt);
        break;
      case Stmt::Kind::SetBlock: {
        std::string captured;
        exec(stmt.body, captured);
        assign(stmt.targets[0], Value(std::move(captured)));
        break;
      }
      case Stmt::Kind::Macro:
        assign(stmt.name, make_macro(stmt));
        break;
      case Stmt::Kind::Break:
        return Flow::Break;
      case Stmt::Kind::Continue:
        return Flow::Continue;
      case Stmt::Kind::Generation:
        return exec(stmt.body, out);
    }
  } catch (const TemplateError&) {
    throw;
  } catch (const std::exception& e) {
    // EvalError mostly; library exceptions (bad index, out of range) become template errors too.
    located(stmt.line, e.what());
  }
  return Flow::Normal;
}

void Interpreter::assign_targets(const std::vector<std::string>& targets, const Value& value) {
  if (targets.size() == 1) {
    assign(targets[0], value);
    return;
  }
  const Value::List items = value.iterate();
  if (items.size() != targets.size()) {
    throw EvalError("cannot unpack " + std::to_string(items.size()) + " values into " + std::to_string(targets.size()) +
                    " names");
  }
  for (size_t i = 0; i < targets.size(); ++i) assign(targets[i], items[i]);
}

void Interpreter::exec_set(const Stmt& stmt) {
  Value value = eval(*stmt.expr);
  if (stmt.object.empty()) {
    assign_targets(stmt.targets, value);
    return;
  }
  const Value ns = lookup(stmt.object);
  if (!ns.is_dict() || !ns.as_dict().is_namespace) {
    throw EvalError("cannot assign attribute on '" + stmt.object + "': it is not a namespace()");
  }
  ns.as_dict().set(stmt.targets[0], std::move(value));
}

void Interpreter::exec_for(const Stmt& stmt, std::string& out) {
  const Value iterable = eval(*stmt.expr);
  Value::List items = iterable.iterate();
  scopes_.emplace_back();
  if (stmt.condition) {
    Value::List kept;
    for (const auto& item : items) {
      assign_targets(stmt.targets, item);
      if (eval(*stmt.condition).truthy()) kept.push_back(item);
    }
    items = std::move(kept);
  }
  const size_t n = items.size();
  for (size_t i = 0; i < n; ++i) {
    Value::Dict loop;
    loop.set("index", Value(i + 1));
    loop.set("index0", Value(i));
    loop.set("revindex", Value(n - i));
    loop.set("revindex0", Value(n - i - 1));
    loop.set("first", Value(i == 0));
    loop.set("last", Value(i + 1 == n));
    loop.set("length", Value(n));
    loop.set("previtem", i > 0 ? items[i - 1] : Value::undefined("previtem"));
    loop.set("nextitem", i + 1 < n ? items[i + 1] : Value::undefined("nextitem"));
    loop.set("cycle", Value(Function([i](CallArgs& a) {
      if (a.positional.empty()) throw EvalError("loop.cycle() needs at least one argument");
      return a.positional[i % a.positional.size()];
    })));
    assign("loop", Value(std::move(loop)));
    assign_targets(stmt.targets, items[i]);
    if (exec(stmt.body, out) == Flow::Break) break;
  }
  scopes_.pop_back();
  if (n == 0) exec(stmt.else_body, out);
}

Value Interpreter::make_macro(const Stmt& stmt) {
  const Stmt* macro = &stmt;
  return Value(Function([this, macro](CallArgs& args) {
    if (args.positional.size() > macro->params.size()) {
      throw EvalError("macro '" + macro->name + "' takes " + std::to_string(macro->params.size()) + " arguments");
    }
    // Macros see the template's globals, not the caller's loop variables.
    std::vector<Frame> saved = std::move(scopes_);
    scopes_ = {saved.front(), Frame()};
    std::string out;
    try {
      for (size_t i = 0; i < macro->params.size(); ++i) {
        const auto& [name, fallback] = macro->params[i];
        Value v = i < args.positional.size() ? args.positional[i] : Value::undefined(name);
        for (const auto& [k, kv] : args.keyword)
          if (k == name) v = kv;
        if (v.is_undefined() && fallback) v = eval(*fallback);
        assign(name, v);
      }
      exec(macro->body, out);
    } catch (...) {
      scopes_ = std::move(saved);
      throw;
    }
    scopes_ = std::move(saved);
    return Value(std::move(out));
  }));
}

CallArgs Interpreter::eval_args(const Expr& expr, size_t first_positional) {
  CallArgs args;
  for (size_t i = first_positional; i < expr.operands.size(); ++i) args.positional.push_back(eval(*expr.operands[i]));
  for (const auto& [k, v] : expr.keywords) args.keyword.emplace_back(k, eval(*v));
  return args;
}

Value Interpreter::eval(const Expr& expr) {
  switch (expr.kind) {
    case Expr::Kind::Literal:
      return expr.literal;
    case Expr::Kind::Name:
      return lookup(expr.name);
    case Expr::Kind::GetAttr:
      return get_attribute(eval(*expr.operands[0]), expr.name);
    case Expr::Kind::GetItem:
      return get_item(eval(*expr.operands[0]), eval(*expr.operands[1]));
    case Expr::Kind::Slice: {
      const auto bound = [&](size_t i) { return expr.operands[i] ? eval(*expr.operands[i]) : Value::none(); };
      return slice(eval(*expr.operands[0]), bound(1), bound(2), bound(3));
    }
    case Expr::Kind::Call: {
      const Value callee = eval(*expr.operands[0]);
      CallArgs args = eval_args(expr, 1);
      if (!callee.is_function()) {
        const std::string what = callee.is_undefined() ? "'" + callee.undefined_name() + "' is undefined"
                                                       : "'" + callee.type_name() + "' object is not callable";
        throw EvalError(what);
      }
      return callee.as_function()(args);
    }
    case Expr::Kind::Filter: {
      const Value operand = eval(*expr.operands[0]);
      CallArgs args = eval_args(expr, 1);
      return apply_filter(expr.name, operand, args);
    }
    case Expr::Kind::Test: {
      const Value operand = eval(*expr.operands[0]);
      CallArgs args = eval_args(expr, 1);
      return Value(apply_test(expr.name, operand, args) != expr.negated);
    }
    case Expr::Kind::Unary: {
      const Value v = eval(*expr.operands[0]);
      if (expr.name == "not") return Value(!v.truthy());
      if (!v.is_number()) throw EvalError("bad operand type for unary " + expr.name + ": '" + v.type_name() + "'");
      if (expr.name == "+") return v;
      return v.is_float() ? Value(-v.as_number()) : Value(-static_cast<int64_t>(v.as_number()));
    }
    case Expr::Kind::Binary:
      return eval_binary(expr);
    case Expr::Kind::Conditional:
      if (eval(*expr.operands[1]).truthy()) return eval(*expr.operands[0]);
      return expr.operands[2] ? eval(*expr.operands[2]) : Value::undefined("else");
    case Expr::Kind::List:
    case Expr::Kind::Tuple: {
      Value::List items;
      for (const auto& e : expr.operands) items.push_back(eval(*e));
      return Value(std::move(items));
    }
    case Expr::Kind::Dict: {
      Value::Dict d;
      for (size_t i = 0; i + 1 < expr.operands.size(); i += 2) {
        const Value key = eval(*expr.operands[i]);
        if (!key.is_string()) throw EvalError("dict keys must be strings, got " + key.type_name());
        d.set(key.as_string(), eval(*expr.operands[i + 1]));
      }
      return Value(std::move(d));
    }
  }
  throw EvalError("unknown expression");
}

Value Interpreter::eval_binary(const Expr& expr) {
  const std::string& op = expr.name;
  const Value left = eval(*expr.operands[0]);
  if (op == "and") return left.truthy() ? eval(*expr.operands[1]) : left;
  if (op == "or") return left.truthy() ? left : eval(*expr.operands[1]);
  const Value right = eval(*expr.operands[1]);
  if (op == "~") return Value(left.str() + right.str());
  if (op == "==") return Value(left.equals(right));
  if (op == "!=") return Value(!left.equals(right));
  if (op == "<") return Value(less_than(left, right));
  if (op == ">") return Value(less_than(right, left));
  if (op == "<=") return Value(!less_than(right, left));
  if (op == ">=") return Value(!less_than(left, right));
  if (op == "in") return Value(contains(right, left));
  if (op == "not in") return Value(!contains(right, left));
  return arithmetic(op, left, right);
}

}  // namespace onnxgen::tokenizer::jinja
