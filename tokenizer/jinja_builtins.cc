#include "jinja_builtins.h"

#include <utf8proc.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <unordered_set>

#include "pattern.h"
#include "utf8.h"

namespace onnxgen::tokenizer::jinja {

namespace {

using List = Value::List;
using Dict = Value::Dict;

// Binds positional and keyword arguments to parameter names, Python style.
class Args {
 public:
  Args(CallArgs& args, std::string_view function, std::initializer_list<std::string_view> params)
      : args_(args), function_(function), params_(params) {
    if (args.positional.size() > params_.size()) {
      throw EvalError(std::string(function) + "() takes at most " + std::to_string(params_.size()) +
                      " arguments (" + std::to_string(args.positional.size()) + " given)");
    }
    for (const auto& [key, value] : args.keyword) {
      if (std::find(params_.begin(), params_.end(), key) == params_.end()) {
        throw EvalError(std::string(function) + "() got an unexpected keyword argument '" + key + "'");
      }
    }
  }

  Value get(size_t index, Value fallback = Value()) const {
    if (index < args_.positional.size()) return args_.positional[index];
    for (const auto& [key, value] : args_.keyword)
      if (key == params_[index]) return value;
    return fallback;
  }

  Value required(size_t index) const {
    Value v = get(index);
    if (v.is_undefined()) {
      throw EvalError(std::string(function_) + "() missing required argument '" + std::string(params_[index]) + "'");
    }
    return v;
  }

 private:
  CallArgs& args_;
  std::string_view function_;
  std::vector<std::string_view> params_;
};

std::string expect_string(const Value& v, std::string_view what) {
  if (!v.is_string()) throw EvalError(std::string(what) + " expects a string, got " + v.type_name());
  return v.as_string();
}

template <typename Fn>
std::string map_chars(const std::string& s, Fn fn) {
  std::string out;
  out.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) {
    utf8::append(out, static_cast<char32_t>(fn(static_cast<int32_t>(utf8::next(s, pos)))));
  }
  return out;
}

std::string upper(const std::string& s) { return map_chars(s, utf8proc_toupper); }
std::string lower(const std::string& s) { return map_chars(s, utf8proc_tolower); }

bool is_cased_letter(int32_t cp) {
  const auto cat = utf8proc_category(cp);
  return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT;
}

std::string title(const std::string& s) {
  bool previous_cased = false;
  return map_chars(s, [&](int32_t cp) {
    const int32_t mapped = previous_cased ? utf8proc_tolower(cp) : utf8proc_totitle(cp);
    previous_cased = is_cased_letter(cp);
    return mapped;
  });
}

std::string capitalize(const std::string& s) {
  bool first = true;
  return map_chars(s, [&](int32_t cp) {
    const int32_t mapped = first ? utf8proc_toupper(cp) : utf8proc_tolower(cp);
    first = false;
    return mapped;
  });
}

// str.strip family: `chars` undefined/None means Unicode whitespace.
std::string strip(const std::string& s, const Value& chars, bool left, bool right) {
  const auto points = code_points(s);
  std::unordered_set<std::string> set;
  const bool whitespace = chars.is_undefined() || chars.is_none();
  if (!whitespace) {
    for (auto& c : code_points(expect_string(chars, "strip"))) set.insert(std::move(c));
  }
  const auto strippable = [&](const std::string& c) {
    if (!whitespace) return set.count(c) > 0;
    size_t pos = 0;
    return utf8::is_whitespace(utf8::next(c, pos));
  };
  size_t begin = 0, end = points.size();
  while (left && begin < end && strippable(points[begin])) ++begin;
  while (right && end > begin && strippable(points[end - 1])) --end;
  std::string out;
  for (size_t i = begin; i < end; ++i) out += points[i];
  return out;
}

List split(const std::string& s, const Value& sep, int64_t maxsplit) {
  List out;
  if (sep.is_undefined() || sep.is_none()) {
    const auto points = code_points(s);
    std::string current;
    bool in_word = false;
    for (size_t i = 0; i < points.size(); ++i) {
      size_t pos = 0;
      const bool ws = utf8::is_whitespace(utf8::next(points[i], pos));
      if (ws && in_word && (maxsplit < 0 || static_cast<int64_t>(out.size()) < maxsplit)) {
        out.emplace_back(std::move(current));
        current.clear();
        in_word = false;
      } else if (!ws || in_word) {
        if (!ws) in_word = true;
        current += points[i];
      }
    }
    if (in_word) out.emplace_back(strip(current, Value(), false, true));
    return out;
  }
  const std::string delimiter = expect_string(sep, "split");
  if (delimiter.empty()) throw EvalError("split(): empty separator");
  size_t prev = 0;
  for (size_t pos = s.find(delimiter); pos != std::string::npos && (maxsplit < 0 || static_cast<int64_t>(out.size()) < maxsplit);
       pos = s.find(delimiter, prev)) {
    out.emplace_back(s.substr(prev, pos - prev));
    prev = pos + delimiter.size();
  }
  out.emplace_back(s.substr(prev));
  return out;
}

bool affix_matches(const std::string& s, const Value& affix, bool prefix) {
  const auto check = [&](const Value& a) {
    const std::string t = expect_string(a, prefix ? "startswith" : "endswith");
    return prefix ? s.starts_with(t) : s.ends_with(t);
  };
  if (affix.is_list()) return std::any_of(affix.as_list().begin(), affix.as_list().end(), check);
  return check(affix);
}

// str.format with {}, {0} and {name} fields (no format specs beyond plain conversion).
std::string format(const std::string& fmt, CallArgs& args) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    const char c = fmt[i];
    if ((c == '{' || c == '}') && i + 1 < fmt.size() && fmt[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    const size_t close = fmt.find('}', i);
    if (close == std::string::npos) throw EvalError("format(): single '{' in format string");
    const std::string field = fmt.substr(i + 1, close - i - 1);
    const Value* v = nullptr;
    if (field.empty() || std::all_of(field.begin(), field.end(), ::isdigit)) {
      const size_t index = field.empty() ? auto_index++ : std::stoul(field);
      if (index >= args.positional.size()) throw EvalError("format(): replacement index out of range");
      v = &args.positional[index];
    } else {
      for (const auto& [k, value] : args.keyword)
        if (k == field) v = &value;
      if (!v) throw EvalError("format(): missing field '" + field + "'");
    }
    out += v->str();
    i = close;
  }
  return out;
}

Value bind(Function f) { return Value(std::move(f)); }

Value string_method(const std::string& s, const std::string& name) {
  if (name == "startswith" || name == "endswith") {
    return bind([s, prefix = name == "startswith"](CallArgs& a) {
      return Value(affix_matches(s, Args(a, prefix ? "startswith" : "endswith", {"prefix"}).required(0), prefix));
    });
  }
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    return bind([s, name](CallArgs& a) {
      return Value(strip(s, Args(a, name, {"chars"}).get(0), name != "rstrip", name != "lstrip"));
    });
  }
  if (name == "split") {
    return bind([s](CallArgs& a) {
      Args args(a, "split", {"sep", "maxsplit"});
      const Value maxsplit = args.get(1, Value(-1));
      return Value(split(s, args.get(0), maxsplit.is_int() ? maxsplit.as_int() : -1));
    });
  }
  if (name == "upper") return bind([s](CallArgs& a) { Args(a, "upper", {}); return Value(upper(s)); });
  if (name == "lower") return bind([s](CallArgs& a) { Args(a, "lower", {}); return Value(lower(s)); });
  if (name == "title") return bind([s](CallArgs& a) { Args(a, "title", {}); return Value(title(s)); });
  if (name == "capitalize") return bind([s](CallArgs& a) { Args(a, "capitalize", {}); return Value(capitalize(s)); });
  if (name == "replace") {
    return bind([s](CallArgs& a) {
      CallArgs filter_args{a.positional, a.keyword};
      return apply_filter("replace", Value(s), filter_args);
    });
  }
  if (name == "format") return bind([s](CallArgs& a) { return Value(format(s, a)); });
  if (name == "join") {
    return bind([s](CallArgs& a) {
      std::string out;
      const List items = Args(a, "join", {"iterable"}).required(0).iterate();
      for (size_t i = 0; i < items.size(); ++i) out += (i ? s : "") + expect_string(items[i], "join");
      return Value(std::move(out));
    });
  }
  if (name == "find" || name == "count") {
    return bind([s, name](CallArgs& a) {
      const std::string sub = expect_string(Args(a, name, {"sub"}).required(0), name);
      if (name == "find") {
        const size_t pos = s.find(sub);
        return Value(pos == std::string::npos ? int64_t{-1} : static_cast<int64_t>(code_points(s.substr(0, pos)).size()));
      }
      if (sub.empty()) return Value(code_points(s).size() + 1);
      int64_t n = 0;
      for (size_t pos = s.find(sub); pos != std::string::npos; pos = s.find(sub, pos + sub.size())) ++n;
      return Value(n);
    });
  }
  if (name == "isdigit" || name == "isalpha" || name == "isalnum" || name == "isspace" || name == "islower" ||
      name == "isupper") {
    return bind([s, name](CallArgs& a) {
      Args(a, name, {});
      if (s.empty()) return Value(false);
      bool cased = false;
      for (size_t pos = 0; pos < s.size();) {
        const auto cp = utf8::next(s, pos);
        const auto cat = utf8proc_category(static_cast<int32_t>(cp));
        const bool letter = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
        bool ok = true;
        if (name == "isdigit") ok = cat == UTF8PROC_CATEGORY_ND;
        if (name == "isalpha") ok = letter;
        if (name == "isalnum") ok = letter || utf8::is_numeric(cp);
        if (name == "isspace") ok = utf8::is_whitespace(cp);
        if (name == "islower") ok = cat != UTF8PROC_CATEGORY_LU && cat != UTF8PROC_CATEGORY_LT;
        if (name == "isupper") ok = cat != UTF8PROC_CATEGORY_LL && cat != UTF8PROC_CATEGORY_LT;
        cased = cased || cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT;
        if (!ok) return Value(false);
      }
      return Value(name == "islower" || name == "isupper" ? cased : true);
    });
  }
  return Value::undefined(name);
}

List dict_items(const Dict& d) {
  List out;
  for (const auto& [k, v] : d.items) out.emplace_back(List{Value(k), v});
  return out;
}

Value dict_method(const Value& dict, const std::string& name) {
  if (name == "items") return bind([dict](CallArgs& a) { Args(a, "items", {}); return Value(dict_items(dict.as_dict())); });
  if (name == "keys") return bind([dict](CallArgs& a) { Args(a, "keys", {}); return Value(dict.iterate()); });
  if (name == "values") {
    return bind([dict](CallArgs& a) {
      Args(a, "values", {});
      List out;
      for (const auto& [k, v] : dict.as_dict().items) out.push_back(v);
      return Value(std::move(out));
    });
  }
  if (name == "get") {
    return bind([dict](CallArgs& a) {
      Args args(a, "get", {"key", "default"});
      const Value* v = dict.as_dict().find(expect_string(args.required(0), "get"));
      return v ? *v : args.get(1, Value::none());
    });
  }
  return Value::undefined(name);
}

int64_t normalize_index(int64_t i, int64_t size) { return i < 0 ? i + size : i; }

// The attribute path "a.b" that map/selectattr/sort accept.
Value attribute_path(const Value& v, const std::string& path) {
  Value current = v;
  for (const auto& part : split(path, Value("."), -1)) {
    const std::string& key = part.as_string();
    const bool numeric = !key.empty() && std::all_of(key.begin(), key.end(), ::isdigit);
    current = numeric ? get_item(current, Value(static_cast<int64_t>(std::stoll(key)))) : get_item(current, Value(key));
  }
  return current;
}

int64_t length(const Value& v) {
  if (v.is_undefined()) return 0;
  if (v.is_string()) return static_cast<int64_t>(code_points(v.as_string()).size());
  if (v.is_list()) return static_cast<int64_t>(v.as_list().size());
  if (v.is_dict()) return static_cast<int64_t>(v.as_dict().items.size());
  throw EvalError("object of type '" + v.type_name() + "' has no len()");
}

std::string escape_html(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Tests and filters that take "the rest" of the arguments (select, selectattr, map).
CallArgs rest(const CallArgs& args, size_t skip) {
  CallArgs out;
  for (size_t i = skip; i < args.positional.size(); ++i) out.positional.push_back(args.positional[i]);
  return out;
}

Value select_filter(const Value& operand, CallArgs& args, bool by_attribute, bool keep) {
  List out;
  const size_t name_index = by_attribute ? 1 : 0;
  if (by_attribute && args.positional.empty()) throw EvalError("selectattr/rejectattr need an attribute name");
  const std::string attr = by_attribute ? expect_string(args.positional[0], "selectattr") : "";
  const bool has_test = args.positional.size() > name_index;
  const std::string test = has_test ? expect_string(args.positional[name_index], "select") : "";
  for (const auto& item : operand.iterate()) {
    const Value subject = by_attribute ? attribute_path(item, attr) : item;
    CallArgs test_args = rest(args, name_index + 1);
    const bool passed = has_test ? apply_test(test, subject, test_args) : subject.truthy();
    if (passed == keep) out.push_back(item);
  }
  return Value(std::move(out));
}

double to_double(const Value& v, double fallback) {
  if (v.is_number()) return v.as_number();
  if (v.is_string()) {
    try {
      size_t used = 0;
      const double d = std::stod(v.as_string(), &used);
      return used == v.as_string().size() ? d : fallback;
    } catch (const std::exception&) {
      return fallback;
    }
  }
  return fallback;
}

Value sorted(List items, bool reverse, bool case_sensitive, const Value& attribute) {
  const auto key = [&](const Value& v) {
    Value k = attribute.is_string() ? attribute_path(v, attribute.as_string()) : v;
    if (!case_sensitive && k.is_string()) k = Value(lower(k.as_string()));
    return k;
  };
  std::stable_sort(items.begin(), items.end(), [&](const Value& a, const Value& b) {
    return reverse ? less_than(key(b), key(a)) : less_than(key(a), key(b));
  });
  return Value(std::move(items));
}

using FilterFn = Value (*)(const Value&, CallArgs&);

const std::map<std::string, FilterFn, std::less<>>& filters() {
  static const std::map<std::string, FilterFn, std::less<>> table = {
      {"trim", [](const Value& v, CallArgs& a) {
         return Value(strip(v.str(), Args(a, "trim", {"chars"}).get(0), true, true));
       }},
      {"tojson", [](const Value& v, CallArgs& a) {
         const Value indent = Args(a, "tojson", {"indent"}).get(0);
         return Value(v.to_json(indent.is_int() ? static_cast<int>(indent.as_int()) : -1));
       }},
      {"length", [](const Value& v, CallArgs& a) { Args(a, "length", {}); return Value(length(v)); }},
      {"count", [](const Value& v, CallArgs& a) { Args(a, "count", {}); return Value(length(v)); }},
      {"default", [](const Value& v, CallArgs& a) {
         Args args(a, "default", {"default_value", "boolean"});
         const bool use_default = v.is_undefined() || (args.get(1, Value(false)).truthy() && !v.truthy());
         return use_default ? args.get(0, Value("")) : v;
       }},
      {"join", [](const Value& v, CallArgs& a) {
         Args args(a, "join", {"d", "attribute"});
         const std::string sep = args.get(0, Value("")).str();
         const Value attr = args.get(1);
         std::string out;
         const List items = v.iterate();
         for (size_t i = 0; i < items.size(); ++i) {
           out += (i ? sep : "") + (attr.is_string() ? attribute_path(items[i], attr.as_string()) : items[i]).str();
         }
         return Value(std::move(out));
       }},
      {"replace", [](const Value& v, CallArgs& a) {
         Args args(a, "replace", {"old", "new", "count"});
         const std::string s = v.str();
         const std::string from = expect_string(args.required(0), "replace");
         const std::string to = expect_string(args.required(1), "replace");
         const Value count = args.get(2);
         if (!count.is_int()) return Value(replace_literal(s, from, to));
         std::string out;
         size_t prev = 0;
         int64_t done = 0;
         for (size_t pos = s.find(from); pos != std::string::npos && done < count.as_int() && !from.empty();
              pos = s.find(from, prev), ++done) {
           out += s.substr(prev, pos - prev) + to;
           prev = pos + from.size();
         }
         return Value(out + s.substr(prev));
       }},
      {"upper", [](const Value& v, CallArgs& a) { Args(a, "upper", {}); return Value(upper(v.str())); }},
      {"lower", [](const Value& v, CallArgs& a) { Args(a, "lower", {}); return Value(lower(v.str())); }},
      {"capitalize", [](const Value& v, CallArgs& a) { Args(a, "capitalize", {}); return Value(capitalize(v.str())); }},
      {"title", [](const Value& v, CallArgs& a) { Args(a, "title", {}); return Value(title(v.str())); }},
      {"first", [](const Value& v, CallArgs& a) {
         Args(a, "first", {});
         const List items = v.iterate();
         return items.empty() ? Value::undefined("first") : items.front();
       }},
      {"last", [](const Value& v, CallArgs& a) {
         Args(a, "last", {});
         const List items = v.iterate();
         return items.empty() ? Value::undefined("last") : items.back();
       }},
      {"list", [](const Value& v, CallArgs& a) { Args(a, "list", {}); return Value(v.iterate()); }},
      {"items", [](const Value& v, CallArgs& a) {
         Args(a, "items", {});
         if (v.is_undefined()) return Value(List{});
         if (!v.is_dict()) throw EvalError("items filter expects a mapping, got " + v.type_name());
         return Value(dict_items(v.as_dict()));
       }},
      {"map", [](const Value& v, CallArgs& a) {
         List out;
         const Value* attribute = nullptr;
         const Value* fallback = nullptr;
         for (const auto& [k, value] : a.keyword) {
           if (k == "attribute") attribute = &value;
           if (k == "default") fallback = &value;
         }
         for (const auto& item : v.iterate()) {
           if (attribute) {
             Value got = attribute_path(item, expect_string(*attribute, "map"));
             out.push_back(got.is_undefined() && fallback ? *fallback : got);
           } else {
             if (a.positional.empty()) throw EvalError("map needs a filter name or attribute=");
             CallArgs filter_args = rest(a, 1);
             out.push_back(apply_filter(expect_string(a.positional[0], "map"), item, filter_args));
           }
         }
         return Value(std::move(out));
       }},
      {"select", [](const Value& v, CallArgs& a) { return select_filter(v, a, false, true); }},
      {"reject", [](const Value& v, CallArgs& a) { return select_filter(v, a, false, false); }},
      {"selectattr", [](const Value& v, CallArgs& a) { return select_filter(v, a, true, true); }},
      {"rejectattr", [](const Value& v, CallArgs& a) { return select_filter(v, a, true, false); }},
      {"string", [](const Value& v, CallArgs& a) { Args(a, "string", {}); return Value(v.str()); }},
      {"int", [](const Value& v, CallArgs& a) {
         const Value fallback = Args(a, "int", {"default", "base"}).get(0, Value(0));
         if (v.is_int()) return v;
         if (v.is_bool()) return Value(static_cast<int64_t>(v.as_bool()));
         const double d = to_double(v, std::nan(""));
         return std::isnan(d) ? fallback : Value(static_cast<int64_t>(d));
       }},
      {"float", [](const Value& v, CallArgs& a) {
         const Value fallback = Args(a, "float", {"default"}).get(0, Value(0.0));
         const double d = to_double(v, std::nan(""));
         return std::isnan(d) ? fallback : Value(d);
       }},
      {"abs", [](const Value& v, CallArgs& a) {
         Args(a, "abs", {});
         if (v.is_int()) return Value(v.as_int() < 0 ? -v.as_int() : v.as_int());
         return Value(std::fabs(v.as_number()));
       }},
      {"round", [](const Value& v, CallArgs& a) {
         Args args(a, "round", {"precision", "method"});
         const double scale = std::pow(10.0, static_cast<double>(args.get(0, Value(0)).as_int()));
         const std::string method = args.get(1, Value("common")).str();
         const double x = v.as_number() * scale;
         const double r = method == "ceil" ? std::ceil(x) : method == "floor" ? std::floor(x) : std::round(x);
         return Value(r / scale);
       }},
      {"indent", [](const Value& v, CallArgs& a) {
         Args args(a, "indent", {"width", "first", "blank"});
         const Value width = args.get(0, Value(4));
         const std::string pad = width.is_string() ? width.as_string() : std::string(static_cast<size_t>(width.as_int()), ' ');
         const bool first = args.get(1, Value(false)).truthy(), blank = args.get(2, Value(false)).truthy();
         const List lines = split(v.str(), Value("\n"), -1);
         std::string out;
         for (size_t i = 0; i < lines.size(); ++i) {
           const std::string& line = lines[i].as_string();
           if (i) out += "\n";
           if ((i > 0 || first) && (blank || !line.empty())) out += pad;
           out += line;
         }
         return Value(std::move(out));
       }},
      {"unique", [](const Value& v, CallArgs& a) {
         Args(a, "unique", {"case_sensitive", "attribute"});
         List out;
         for (const auto& item : v.iterate()) {
           if (std::none_of(out.begin(), out.end(), [&](const Value& o) { return o.equals(item); })) out.push_back(item);
         }
         return Value(std::move(out));
       }},
      {"sort", [](const Value& v, CallArgs& a) {
         Args args(a, "sort", {"reverse", "case_sensitive", "attribute"});
         return sorted(v.iterate(), args.get(0, Value(false)).truthy(), args.get(1, Value(false)).truthy(), args.get(2));
       }},
      {"dictsort", [](const Value& v, CallArgs& a) {
         Args args(a, "dictsort", {"case_sensitive", "by", "reverse"});
         if (!v.is_dict()) throw EvalError("dictsort expects a mapping, got " + v.type_name());
         const bool by_value = args.get(1, Value("key")).str() == "value";
         return sorted(dict_items(v.as_dict()), args.get(2, Value(false)).truthy(), args.get(0, Value(false)).truthy(),
                       Value(by_value ? "1" : "0"));
       }},
      {"reverse", [](const Value& v, CallArgs& a) {
         Args(a, "reverse", {});
         if (v.is_string()) {
           auto points = code_points(v.as_string());
           std::string out;
           for (auto it = points.rbegin(); it != points.rend(); ++it) out += *it;
           return Value(std::move(out));
         }
         List items = v.iterate();
         std::reverse(items.begin(), items.end());
         return Value(std::move(items));
       }},
      {"sum", [](const Value& v, CallArgs& a) {
         Args args(a, "sum", {"attribute", "start"});
         const Value attr = args.get(0);
         Value total = args.get(1, Value(0));
         for (const auto& item : v.iterate()) {
           const Value x = attr.is_string() ? attribute_path(item, attr.as_string()) : item;
           total = total.is_int() && x.is_int() ? Value(total.as_int() + x.as_int()) : Value(total.as_number() + x.as_number());
         }
         return total;
       }},
      {"min", [](const Value& v, CallArgs& a) {
         Args(a, "min", {"case_sensitive", "attribute"});
         const List items = v.iterate();
         if (items.empty()) return Value::undefined("min");
         return *std::min_element(items.begin(), items.end(), less_than);
       }},
      {"max", [](const Value& v, CallArgs& a) {
         Args(a, "max", {"case_sensitive", "attribute"});
         const List items = v.iterate();
         if (items.empty()) return Value::undefined("max");
         return *std::max_element(items.begin(), items.end(), less_than);
       }},
      {"safe", [](const Value& v, CallArgs& a) { Args(a, "safe", {}); return v; }},
      {"escape", [](const Value& v, CallArgs& a) { Args(a, "escape", {}); return Value(escape_html(v.str())); }},
      {"e", [](const Value& v, CallArgs& a) { Args(a, "e", {}); return Value(escape_html(v.str())); }},
      {"wordcount", [](const Value& v, CallArgs& a) {
         Args(a, "wordcount", {});
         return Value(split(v.str(), Value(), -1).size());
       }},
  };
  return table;
}

}  // namespace

Value apply_filter(const std::string& name, const Value& operand, CallArgs& args) {
  const auto& table = filters();
  const auto it = table.find(name == "d" ? "default" : name);
  if (it == table.end()) throw EvalError("no filter named '" + name + "'");
  return it->second(operand, args);
}

bool apply_test(const std::string& name, const Value& v, CallArgs& a) {
  const auto arg = [&](std::string_view fn) { return Args(a, fn, {"other"}).required(0); };
  if (name == "defined") return !v.is_undefined();
  if (name == "undefined") return v.is_undefined();
  if (name == "none") return v.is_none();
  if (name == "string") return v.is_string();
  if (name == "mapping") return v.is_dict();
  if (name == "sequence") return v.is_list() || v.is_string() || v.is_dict();
  if (name == "iterable") return v.is_list() || v.is_string() || v.is_dict();
  if (name == "number") return v.is_number();
  if (name == "integer") return v.is_int();
  if (name == "float") return v.is_float();
  if (name == "boolean") return v.is_bool();
  if (name == "true") return v.is_bool() && v.as_bool();
  if (name == "false") return v.is_bool() && !v.as_bool();
  if (name == "callable") return v.is_function();
  if (name == "lower") return v.is_string() && lower(v.as_string()) == v.as_string();
  if (name == "upper") return v.is_string() && upper(v.as_string()) == v.as_string();
  if (name == "odd" || name == "even") {
    if (!v.is_int()) throw EvalError("test '" + name + "' expects an integer");
    return (v.as_int() % 2 != 0) == (name == "odd");
  }
  if (name == "divisibleby") {
    const Value n = arg(name);
    return n.as_int() != 0 && v.as_int() % n.as_int() == 0;
  }
  if (name == "equalto" || name == "eq" || name == "==" || name == "sameas") return v.equals(arg(name));
  if (name == "ne" || name == "!=") return !v.equals(arg(name));
  if (name == "lt" || name == "lessthan" || name == "<") return less_than(v, arg(name));
  if (name == "gt" || name == "greaterthan" || name == ">") return less_than(arg(name), v);
  if (name == "le" || name == "<=") return !less_than(arg(name), v);
  if (name == "ge" || name == ">=") return !less_than(v, arg(name));
  if (name == "in") {
    const Value container = Args(a, name, {"seq"}).required(0);
    if (container.is_string()) return v.is_string() && container.as_string().find(v.as_string()) != std::string::npos;
    for (const auto& item : container.iterate())
      if (item.equals(v)) return true;
    return false;
  }
  throw EvalError("no test named '" + name + "'");
}

Value get_attribute(const Value& object, const std::string& name) {
  if (object.is_undefined()) {
    throw EvalError("'" + object.undefined_name() + "' is undefined (reading attribute '" + name + "')");
  }
  if (object.is_string()) return string_method(object.as_string(), name);
  if (object.is_dict()) {
    if (!object.as_dict().is_namespace) {
      if (Value method = dict_method(object, name); !method.is_undefined()) return method;
    }
    const Value* v = object.as_dict().find(name);
    return v ? *v : Value::undefined(name);
  }
  return Value::undefined(name);
}

Value get_item(const Value& object, const Value& key) {
  if (object.is_undefined()) {
    throw EvalError("'" + object.undefined_name() + "' is undefined (reading item " + key.repr() + ")");
  }
  if (object.is_dict() && key.is_string()) {
    if (const Value* v = object.as_dict().find(key.as_string())) return *v;
    return get_attribute(object, key.as_string());
  }
  if ((object.is_list() || object.is_string()) && (key.is_int() || key.is_bool())) {
    if (object.is_list()) {
      const auto& list = object.as_list();
      const int64_t i = normalize_index(static_cast<int64_t>(key.as_number()), static_cast<int64_t>(list.size()));
      return i >= 0 && i < static_cast<int64_t>(list.size()) ? list[static_cast<size_t>(i)] : Value::undefined("item");
    }
    const auto points = code_points(object.as_string());
    const int64_t i = normalize_index(static_cast<int64_t>(key.as_number()), static_cast<int64_t>(points.size()));
    return i >= 0 && i < static_cast<int64_t>(points.size()) ? Value(points[static_cast<size_t>(i)]) : Value::undefined("item");
  }
  if (key.is_string()) return get_attribute(object, key.as_string());
  return Value::undefined("item");
}

Value slice(const Value& object, const Value& start_v, const Value& stop_v, const Value& step_v) {
  const int64_t step = step_v.is_int() ? step_v.as_int() : 1;
  if (step == 0) throw EvalError("slice step cannot be zero");
  List items;
  std::vector<std::string> points;
  int64_t size;
  if (object.is_string()) {
    points = code_points(object.as_string());
    size = static_cast<int64_t>(points.size());
  } else if (object.is_list()) {
    items = object.as_list();
    size = static_cast<int64_t>(items.size());
  } else {
    throw EvalError("'" + object.type_name() + "' object is not subscriptable");
  }
  // Python's slice.indices().
  const auto bound = [&](const Value& v, int64_t fallback) {
    if (!v.is_int()) return fallback;
    int64_t i = v.as_int();
    if (i < 0) i += size;
    if (step > 0) return std::clamp<int64_t>(i, 0, size);
    return std::clamp<int64_t>(i, -1, size - 1);
  };
  const int64_t start = bound(start_v, step > 0 ? 0 : size - 1);
  const int64_t stop = bound(stop_v, step > 0 ? size : -1);
  std::string out_string;
  List out_list;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (object.is_string()) {
      out_string += points[static_cast<size_t>(i)];
    } else {
      out_list.push_back(items[static_cast<size_t>(i)]);
    }
  }
  return object.is_string() ? Value(std::move(out_string)) : Value(std::move(out_list));
}

bool less_than(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return a.as_number() < b.as_number();
  if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();
  if (a.is_list() && b.is_list()) {
    const auto &x = a.as_list(), &y = b.as_list();
    return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end(), less_than);
  }
  throw EvalError("'<' not supported between instances of '" + a.type_name() + "' and '" + b.type_name() + "'");
}

void install_globals(Dict& globals) {
  globals.set("range", Value(Function([](CallArgs& a) {
    Args args(a, "range", {"start", "stop", "step"});
    int64_t start = 0, stop, step = args.get(2, Value(1)).as_int();
    if (a.positional.size() == 1) {
      stop = args.required(0).as_int();
    } else {
      start = args.required(0).as_int();
      stop = args.required(1).as_int();
    }
    if (step == 0) throw EvalError("range() arg 3 must not be zero");
    List out;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.emplace_back(i);
    return Value(std::move(out));
  })));
  const auto make_dict = [](bool is_namespace) {
    return Function([is_namespace](CallArgs& a) {
      Dict d;
      d.is_namespace = is_namespace;
      for (const auto& p : a.positional) {
        if (!p.is_dict()) throw EvalError("namespace()/dict() positional argument must be a mapping");
        for (const auto& [k, v] : p.as_dict().items) d.set(k, v);
      }
      for (const auto& [k, v] : a.keyword) d.set(k, v);
      return Value(std::move(d));
    });
  };
  globals.set("namespace", Value(make_dict(true)));
  globals.set("dict", Value(make_dict(false)));
  globals.set("raise_exception", Value(Function([](CallArgs& a) -> Value {
    throw EvalError("raise_exception: " + Args(a, "raise_exception", {"message"}).get(0, Value("")).str());
  })));
  globals.set("strftime_now", Value(Function([](CallArgs& a) {
    const std::string fmt = expect_string(Args(a, "strftime_now", {"format"}).required(0), "strftime_now");
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm local{};
    localtime_r(&now, &local);
    char buf[256];
    const size_t n = std::strftime(buf, sizeof buf, fmt.c_str(), &local);
    return Value(std::string(buf, n));
  })));
}

}  // namespace onnxgen::tokenizer::jinja
