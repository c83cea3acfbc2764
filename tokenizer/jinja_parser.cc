#include "jinja_parser.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "error.h"
#include "jinja_lexer.h"

namespace onnxgen::tokenizer::jinja {

namespace {

using ExprPtr = std::unique_ptr<Expr>;
using K = Token::Kind;

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Body parse_template() {
    Body body = parse_body({});
    if (peek().kind != K::End) fail("unexpected '" + describe(peek()) + "'");
    return body;
  }

 private:
  const Token& peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }

  static std::string describe(const Token& t) {
    switch (t.kind) {
      case K::End: return "end of template";
      case K::VarEnd: return "}}";
      case K::BlockEnd: return "%}";
      case K::VarBegin: return "{{";
      case K::BlockBegin: return "{%";
      case K::Text: return "text";
      default: return t.text;
    }
  }

  [[noreturn]] void fail(const std::string& what) const { fail(peek().line, what); }
  [[noreturn]] static void fail(int line, const std::string& what) {
    throw TemplateError("template line " + std::to_string(line) + ": " + what);
  }

  bool at_op(std::string_view op, size_t ahead = 0) const {
    return peek(ahead).kind == K::Operator && peek(ahead).text == op;
  }
  bool at_name(std::string_view name, size_t ahead = 0) const {
    return peek(ahead).kind == K::Name && peek(ahead).text == name;
  }
  bool accept_op(std::string_view op) {
    if (!at_op(op)) return false;
    ++pos_;
    return true;
  }
  bool accept_name(std::string_view name) {
    if (!at_name(name)) return false;
    ++pos_;
    return true;
  }
  void expect_op(std::string_view op) {
    if (!accept_op(op)) fail("expected '" + std::string(op) + "', got '" + describe(peek()) + "'");
  }
  std::string expect_identifier() {
    if (peek().kind != K::Name) fail("expected a name, got '" + describe(peek()) + "'");
    return next().text;
  }
  void expect_block_end() {
    if (peek().kind != K::BlockEnd) fail("expected '%}', got '" + describe(peek()) + "'");
    ++pos_;
  }

  ExprPtr node(Expr::Kind kind, int line) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = line;
    return e;
  }

  // Statements up to (not including) a block tag whose keyword is in `stops`.
  Body parse_body(std::initializer_list<std::string_view> stops) {
    Body body;
    while (true) {
      const Token& t = peek();
      if (t.kind == K::End) return body;
      if (t.kind == K::Text) {
        auto s = std::make_unique<Stmt>();
        s->kind = Stmt::Kind::Text;
        s->line = t.line;
        s->name = next().text;
        body.push_back(std::move(s));
      } else if (t.kind == K::VarBegin) {
        auto s = std::make_unique<Stmt>();
        s->kind = Stmt::Kind::Print;
        s->line = next().line;
        s->expr = parse_expression();
        if (peek().kind != K::VarEnd) fail("expected '}}', got '" + describe(peek()) + "'");
        ++pos_;
        body.push_back(std::move(s));
      } else if (t.kind == K::BlockBegin) {
        for (const auto stop : stops)
          if (at_name(stop, 1)) return body;
        ++pos_;
        body.push_back(parse_statement());
      } else {
        fail("unexpected '" + describe(t) + "'");
      }
    }
  }

  // Consumes "{% keyword" for the end of a block, failing with what was expected.
  void expect_tag(std::string_view keyword, std::string_view opened_by) {
    if (peek().kind != K::BlockBegin || !at_name(keyword, 1)) {
      fail("expected '{% " + std::string(keyword) + " %}' to close '" + std::string(opened_by) + "', got '" +
           describe(peek().kind == K::BlockBegin ? peek(1) : peek()) + "'");
    }
    pos_ += 2;
  }

  std::unique_ptr<Stmt> parse_statement() {
    auto s = std::make_unique<Stmt>();
    s->line = peek().line;
    const std::string keyword = expect_identifier();
    if (keyword == "if") {
      s->kind = Stmt::Kind::If;
      auto cond = parse_expression();
      expect_block_end();
      s->branches.emplace_back(std::move(cond), parse_body({"elif", "else", "endif"}));
      while (true) {
        if (peek().kind == K::BlockBegin && at_name("elif", 1)) {
          pos_ += 2;
          auto c = parse_expression();
          expect_block_end();
          s->branches.emplace_back(std::move(c), parse_body({"elif", "else", "endif"}));
        } else if (peek().kind == K::BlockBegin && at_name("else", 1)) {
          pos_ += 2;
          expect_block_end();
          s->else_body = parse_body({"endif"});
        } else {
          break;
        }
      }
      expect_tag("endif", "if");
    } else if (keyword == "for") {
      s->kind = Stmt::Kind::For;
      do {
        s->targets.push_back(expect_identifier());
      } while (accept_op(","));
      if (!accept_name("in")) fail("expected 'in' in for loop, got '" + describe(peek()) + "'");
      s->expr = parse_or_expression();
      if (accept_name("if")) s->condition = parse_expression();
      accept_name("recursive");
      expect_block_end();
      s->body = parse_body({"else", "endfor"});
      if (peek().kind == K::BlockBegin && at_name("else", 1)) {
        pos_ += 2;
        expect_block_end();
        s->else_body = parse_body({"endfor"});
      }
      expect_tag("endfor", "for");
    } else if (keyword == "set") {
      std::string first = expect_identifier();
      if (accept_op(".")) {
        s->object = std::move(first);
        s->targets.push_back(expect_identifier());
      } else {
        s->targets.push_back(std::move(first));
        while (accept_op(",")) s->targets.push_back(expect_identifier());
      }
      if (accept_op("=")) {
        s->kind = Stmt::Kind::Set;
        s->expr = parse_tuple_or_expression();
      } else {
        if (!s->object.empty() || s->targets.size() != 1) fail("block set needs a single name");
        s->kind = Stmt::Kind::SetBlock;
        expect_block_end();
        s->body = parse_body({"endset"});
        expect_tag("endset", "set");
      }
    } else if (keyword == "macro") {
      s->kind = Stmt::Kind::Macro;
      s->name = expect_identifier();
      expect_op("(");
      while (!accept_op(")")) {
        std::string param = expect_identifier();
        ExprPtr def;
        if (accept_op("=")) def = parse_expression();
        s->params.emplace_back(std::move(param), std::move(def));
        if (!at_op(")")) expect_op(",");
      }
      expect_block_end();
      s->body = parse_body({"endmacro"});
      expect_tag("endmacro", "macro");
    } else if (keyword == "break" || keyword == "continue") {
      s->kind = keyword == "break" ? Stmt::Kind::Break : Stmt::Kind::Continue;
    } else if (keyword == "generation") {
      s->kind = Stmt::Kind::Generation;
      expect_block_end();
      s->body = parse_body({"endgeneration"});
      expect_tag("endgeneration", "generation");
    } else {
      fail(s->line, "unknown tag '" + keyword + "'");
    }
    expect_block_end();
    return s;
  }

  // `a, b` without parentheses is a tuple where Jinja2 allows it (set values).
  ExprPtr parse_tuple_or_expression() {
    const int line = peek().line;
    auto first = parse_expression();
    if (!at_op(",")) return first;
    auto tuple = node(Expr::Kind::Tuple, line);
    tuple->operands.push_back(std::move(first));
    while (accept_op(",")) tuple->operands.push_back(parse_expression());
    return tuple;
  }

  ExprPtr parse_expression() {
    auto expr = parse_or_expression();
    if (!at_name("if")) return expr;
    const int line = next().line;
    auto cond = node(Expr::Kind::Conditional, line);
    cond->operands.push_back(std::move(expr));
    cond->operands.push_back(parse_or_expression());
    cond->operands.push_back(accept_name("else") ? parse_expression() : nullptr);
    return cond;
  }

  ExprPtr binary(std::string op, ExprPtr left, ExprPtr right, int line) {
    auto b = node(Expr::Kind::Binary, line);
    b->name = std::move(op);
    b->operands.push_back(std::move(left));
    b->operands.push_back(std::move(right));
    return b;
  }

  // One precedence level of left-associative binary operators (symbols, or the names "and"/"or").
  template <class Operand>
  ExprPtr binary_level(Operand operand, std::initializer_list<std::string_view> ops) {
    auto at_any = [&] {
      return std::any_of(ops.begin(), ops.end(), [&](std::string_view op) { return at_op(op) || at_name(op); });
    };
    auto left = operand();
    while (at_any()) {
      const Token& t = next();
      left = binary(t.text, std::move(left), operand(), t.line);
    }
    return left;
  }

  ExprPtr parse_or_expression() {
    return binary_level([&] { return parse_and(); }, {"or"});
  }

  ExprPtr parse_and() {
    return binary_level([&] { return parse_not(); }, {"and"});
  }

  ExprPtr parse_not() {
    if (!at_name("not")) return parse_compare();
    auto n = node(Expr::Kind::Unary, next().line);
    n->name = "not";
    n->operands.push_back(parse_not());
    return n;
  }

  ExprPtr parse_compare() {
    auto left = parse_math1();
    while (true) {
      const int line = peek().line;
      std::string op;
      if (peek().kind == K::Operator &&
          (at_op("==") || at_op("!=") || at_op("<") || at_op(">") || at_op("<=") || at_op(">="))) {
        op = next().text;
      } else if (accept_name("in")) {
        op = "in";
      } else if (at_name("not") && at_name("in", 1)) {
        pos_ += 2;
        op = "not in";
      } else {
        return left;
      }
      left = binary(op, std::move(left), parse_math1(), line);
    }
  }

  ExprPtr parse_math1() {
    return binary_level([&] { return parse_concat(); }, {"+", "-"});
  }

  ExprPtr parse_concat() {
    return binary_level([&] { return parse_math2(); }, {"~"});
  }

  ExprPtr parse_math2() {
    return binary_level([&] { return parse_pow(); }, {"*", "/", "//", "%"});
  }

  ExprPtr parse_pow() {
    return binary_level([&] { return parse_unary(true); }, {"**"});
  }

  ExprPtr parse_unary(bool with_filter) {
    ExprPtr e;
    if (at_op("-") || at_op("+")) {
      const Token& t = next();
      e = node(Expr::Kind::Unary, t.line);
      e->name = t.text;
      e->operands.push_back(parse_unary(false));
    } else {
      e = parse_postfix(parse_primary());
    }
    return with_filter ? parse_filters_and_tests(std::move(e)) : std::move(e);
  }

  ExprPtr parse_primary() {
    const Token& t = peek();
    if (t.kind == K::Name) {
      next();
      auto e = node(Expr::Kind::Literal, t.line);
      if (t.text == "true" || t.text == "True") {
        e->literal = Value(true);
      } else if (t.text == "false" || t.text == "False") {
        e->literal = Value(false);
      } else if (t.text == "none" || t.text == "None") {
        e->literal = Value::none();
      } else {
        e->kind = Expr::Kind::Name;
        e->name = t.text;
      }
      return e;
    }
    if (t.kind == K::String) {
      auto e = node(Expr::Kind::Literal, t.line);
      std::string s = next().text;
      while (peek().kind == K::String) s += next().text;
      e->literal = Value(std::move(s));
      return e;
    }
    if (t.kind == K::Integer || t.kind == K::Float) {
      auto e = node(Expr::Kind::Literal, t.line);
      const std::string text = next().text;
      try {
        e->literal = t.kind == K::Integer ? Value(static_cast<int64_t>(std::stoll(text))) : Value(std::stod(text));
      } catch (const std::exception&) {
        fail("number out of range: " + text);
      }
      return e;
    }
    if (accept_op("(")) {
      if (accept_op(")")) return node(Expr::Kind::Tuple, t.line);
      auto first = parse_expression();
      if (accept_op(")")) return first;
      auto tuple = node(Expr::Kind::Tuple, t.line);
      tuple->operands.push_back(std::move(first));
      while (accept_op(",")) {
        if (at_op(")")) break;
        tuple->operands.push_back(parse_expression());
      }
      expect_op(")");
      return tuple;
    }
    if (accept_op("[")) {
      auto list = node(Expr::Kind::List, t.line);
      while (!accept_op("]")) {
        list->operands.push_back(parse_expression());
        if (!at_op("]")) expect_op(",");
      }
      return list;
    }
    if (accept_op("{")) {
      auto dict = node(Expr::Kind::Dict, t.line);
      while (!accept_op("}")) {
        dict->operands.push_back(parse_expression());
        expect_op(":");
        dict->operands.push_back(parse_expression());
        if (!at_op("}")) expect_op(",");
      }
      return dict;
    }
    fail("unexpected '" + describe(t) + "'");
  }

  void parse_call_args(Expr& call) {
    while (!accept_op(")")) {
      if (peek().kind == K::Name && at_op("=", 1)) {
        std::string key = next().text;
        ++pos_;
        call.keywords.emplace_back(std::move(key), parse_expression());
      } else {
        call.operands.push_back(parse_expression());
      }
      if (!at_op(")")) expect_op(",");
    }
  }

  ExprPtr parse_postfix(ExprPtr e) {
    while (true) {
      const int line = peek().line;
      if (accept_op(".")) {
        auto g = node(Expr::Kind::GetAttr, line);
        if (peek().kind == K::Integer) {
          g->kind = Expr::Kind::GetItem;
          auto index = node(Expr::Kind::Literal, line);
          index->literal = Value(static_cast<int64_t>(std::stoll(next().text)));
          g->operands.push_back(std::move(e));
          g->operands.push_back(std::move(index));
        } else {
          g->name = expect_identifier();
          g->operands.push_back(std::move(e));
        }
        e = std::move(g);
      } else if (accept_op("[")) {
        e = parse_subscript(std::move(e), line);
      } else if (accept_op("(")) {
        auto call = node(Expr::Kind::Call, line);
        call->operands.push_back(std::move(e));
        parse_call_args(*call);
        e = std::move(call);
      } else {
        return e;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr object, int line) {
    std::vector<ExprPtr> parts;
    bool is_slice = false;
    ExprPtr current;
    while (!at_op("]")) {
      if (accept_op(":")) {
        is_slice = true;
        parts.push_back(std::move(current));
        continue;
      }
      if (current) fail("expected ':' or ']' in subscript, got '" + describe(peek()) + "'");
      current = parse_expression();
    }
    expect_op("]");
    parts.push_back(std::move(current));
    if (!is_slice) {
      if (!parts[0]) fail("empty subscript");
      auto g = node(Expr::Kind::GetItem, line);
      g->operands.push_back(std::move(object));
      g->operands.push_back(std::move(parts[0]));
      return g;
    }
    if (parts.size() > 3) fail("too many ':' in slice");
    parts.resize(3);
    auto s = node(Expr::Kind::Slice, line);
    s->operands.push_back(std::move(object));
    for (auto& p : parts) s->operands.push_back(std::move(p));
    return s;
  }

  ExprPtr parse_filters_and_tests(ExprPtr e) {
    while (true) {
      const int line = peek().line;
      if (accept_op("|")) {
        auto f = node(Expr::Kind::Filter, line);
        f->name = expect_identifier();
        while (accept_op(".")) f->name.append(".").append(expect_identifier());
        f->operands.push_back(std::move(e));
        if (accept_op("(")) parse_call_args(*f);
        e = std::move(f);
      } else if (accept_name("is")) {
        auto t = node(Expr::Kind::Test, line);
        t->negated = accept_name("not");
        t->name = expect_identifier();
        t->operands.push_back(std::move(e));
        if (accept_op("(")) {
          parse_call_args(*t);
        } else if (starts_test_argument()) {
          t->operands.push_back(parse_postfix(parse_primary()));
        }
        e = std::move(t);
      } else if (accept_op("(")) {
        auto call = node(Expr::Kind::Call, line);
        call->operands.push_back(std::move(e));
        parse_call_args(*call);
        e = std::move(call);
      } else {
        return e;
      }
    }
  }

  // `x is divisibleby 3`: Jinja2 takes one bare argument unless a keyword follows.
  bool starts_test_argument() const {
    const Token& t = peek();
    if (t.kind == K::Name) return t.text != "else" && t.text != "or" && t.text != "and" && t.text != "is" && t.text != "if";
    return t.kind == K::String || t.kind == K::Integer || t.kind == K::Float || at_op("[") || at_op("{");
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

Body parse(std::string_view source) { return Parser(tokenize(source)).parse_template(); }

}  // namespace onnxgen::tokenizer::jinja
