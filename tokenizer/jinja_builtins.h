#pragma once

#include <string>

#include "jinja_value.h"

namespace onnxgen::tokenizer::jinja {

// Jinja2's filters, tests, attribute/item access and globals, plus the Python str/dict methods
// that chat templates call. All failures throw EvalError; the interpreter adds the line.
Value apply_filter(const std::string& name, const Value& operand, CallArgs& args);
bool apply_test(const std::string& name, const Value& operand, CallArgs& args);

// obj.name: Python attributes (methods) first, then dict keys, as Jinja2's getattr does.
Value get_attribute(const Value& object, const std::string& name);
// obj[key]: dict keys / list and string indices first, then attributes; Undefined when absent.
Value get_item(const Value& object, const Value& key);
Value slice(const Value& object, const Value& start, const Value& stop, const Value& step);

// Python's < for the types templates compare (numbers, strings, lists).
bool less_than(const Value& a, const Value& b);

// range, namespace, dict, raise_exception and strftime_now.
void install_globals(Value::Dict& globals);

}  // namespace onnxgen::tokenizer::jinja
