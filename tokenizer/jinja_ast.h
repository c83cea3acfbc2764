#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "jinja_value.h"

namespace onnxgen::tokenizer::jinja {

// One node type per category keeps the parser and interpreter small; `kind` says which fields
// are meaningful (documented per kind).
struct Expr {
  enum class Kind {
    Literal,      // literal
    Name,         // name
    GetAttr,      // operands[0].name
    GetItem,      // operands[0][operands[1]]
    Slice,        // operands[0][operands[1]:operands[2]:operands[3]], any bound may be null
    Call,         // operands[0](operands[1..], keywords)
    Filter,       // operands[0] | name(operands[1..], keywords)
    Test,         // operands[0] is [not] name(operands[1..])
    Unary,        // name operands[0]; name is "not", "-" or "+"
    Binary,       // operands[0] name operands[1]
    Conditional,  // operands[0] if operands[1] else operands[2] (may be null)
    List,         // [operands...]
    Tuple,        // (operands...)
    Dict,         // {operands[0]: operands[1], ...}
  };
  Kind kind;
  int line;
  std::string name;
  Value literal;
  bool negated = false;
  std::vector<std::unique_ptr<Expr>> operands;
  std::vector<std::pair<std::string, std::unique_ptr<Expr>>> keywords;
};

struct Stmt;
using Body = std::vector<std::unique_ptr<Stmt>>;

struct Stmt {
  enum class Kind {
    Text,        // name holds the literal text
    Print,       // {{ expr }}
    If,          // branches; else_body
    For,         // for targets in expr [if condition]: body; else_body
    Set,         // set targets = expr; with `object` set: set object.targets[0] = expr
    SetBlock,    // set targets[0]: captured body
    Macro,       // macro name(params): body
    Break,
    Continue,
    Generation,  // transformers' {% generation %}: renders body unchanged
  };
  Kind kind;
  int line;
  std::string name;
  std::string object;
  std::vector<std::string> targets;
  std::unique_ptr<Expr> expr;
  std::unique_ptr<Expr> condition;
  std::vector<std::pair<std::unique_ptr<Expr>, Body>> branches;
  std::vector<std::pair<std::string, std::unique_ptr<Expr>>> params;
  Body body;
  Body else_body;
};

}  // namespace onnxgen::tokenizer::jinja
